/**
 * The business category tree (一级/二级/三级分类). Codes are dotted paths: `ENV`, `ENV.NOISE`,
 * `ENV.NOISE.CONSTRUCTION`. Each level-1 category names the department slug that usually
 * handles it (see departments.ts); a level-2 entry may override it.
 *
 * Frozen: migration 1764201900000 seeds these rows; a change needs a new migration.
 */
export interface CategoryNode {
  code: string;
  zh: string;
  en: string;
  department?: string;
  children?: CategoryNode[];
}

const c = (code: string, zh: string, en: string, children?: CategoryNode[], department?: string): CategoryNode => ({
  code,
  zh,
  en,
  children,
  department,
});

export const CATEGORY_TREE: CategoryNode[] = [
  c(
    'ENV',
    '环境保护',
    'Environmental protection',
    [
      c('NOISE', '噪声污染', 'Noise', [
        c('CONSTRUCTION', '建筑施工噪声', 'Construction noise'),
        c('COMMERCIAL', '商业经营噪声', 'Commercial noise'),
        c('TRAFFIC', '交通噪声', 'Traffic noise'),
      ]),
      c('AIR', '大气污染', 'Air pollution', [
        c('DUST', '扬尘污染', 'Dust'),
        c('ODOR', '异味扰民', 'Odour'),
        c('FUMES', '餐饮油烟', 'Cooking fumes'),
      ]),
      c('WATER', '水污染', 'Water pollution', [
        c('RIVER', '河道污染', 'Polluted river'),
        c('SEWAGE', '污水直排', 'Sewage discharge'),
      ]),
    ],
    'environment',
  ),
  c(
    'PROP',
    '物业管理',
    'Property management',
    [
      c('FEE', '物业收费', 'Property fees', [
        c('OVERCHARGE', '乱收费', 'Overcharging'),
        c('PARKING', '停车收费', 'Parking fees'),
      ]),
      c('SERVICE', '物业服务', 'Property services', [
        c('CLEANING', '保洁不到位', 'Cleaning'),
        c('SECURITY', '安保不到位', 'Security'),
        c('ELEVATOR', '电梯故障', 'Lift failure'),
      ]),
      c('REPAIR', '房屋维修', 'Repairs', [
        c('FUND', '维修基金使用', 'Maintenance fund'),
        c('LEAK', '房屋漏水', 'Leaks'),
      ]),
    ],
    'housing',
  ),
  c(
    'TRAF',
    '交通出行',
    'Traffic and transport',
    [
      c(
        'PARKING',
        '停车管理',
        'Parking',
        [c('ILLEGAL', '违章停车', 'Illegal parking'), c('SPACE', '车位不足', 'Too few spaces')],
        'police',
      ),
      c('ROAD', '道路设施', 'Roads', [
        c('POTHOLE', '道路破损', 'Damaged road'),
        c('SIGNAL', '信号灯故障', 'Traffic light failure'),
      ]),
      c('TRANSIT', '公共交通', 'Public transport', [
        c('BUS', '公交服务', 'Bus service'),
        c('TAXI', '出租车服务', 'Taxi service'),
      ]),
    ],
    'transport',
  ),
  c(
    'HOUSE',
    '住房保障',
    'Housing',
    [
      c('SALE', '商品房', 'Commercial housing', [
        c('DELIVERY', '延期交房', 'Late handover'),
        c('QUALITY', '房屋质量', 'Building quality'),
      ]),
      c('AFFORD', '保障性住房', 'Affordable housing', [
        c('RENTAL', '公租房', 'Public rental housing'),
        c('APPLY', '申请审核', 'Applications'),
      ]),
      c('EXPROP', '征收拆迁', 'Expropriation', [c('COMP', '补偿安置', 'Compensation')]),
    ],
    'housing',
  ),
  c(
    'LAB',
    '劳动社保',
    'Labour and social security',
    [
      c('WAGE', '劳动报酬', 'Pay', [
        c('ARREARS', '拖欠工资', 'Unpaid wages'),
        c('MINIMUM', '最低工资', 'Minimum wage'),
      ]),
      c('INSUR', '社会保险', 'Social insurance', [
        c('PENSION', '养老保险', 'Pension insurance'),
        c('MEDICAL', '医疗保险', 'Medical insurance'),
      ]),
      c('CONTRACT', '劳动合同', 'Employment contracts', [
        c('DISMISS', '违法解除', 'Unlawful dismissal'),
        c('UNSIGNED', '未签合同', 'No written contract'),
      ]),
    ],
    'hrss',
  ),
  c(
    'MKT',
    '市场监管',
    'Market regulation',
    [
      c('FOOD', '食品安全', 'Food safety', [
        c('RESTAURANT', '餐饮卫生', 'Restaurant hygiene'),
        c('EXPIRED', '过期食品', 'Expired food'),
      ]),
      c('CONSUMER', '消费维权', 'Consumer rights', [
        c('REFUND', '退款纠纷', 'Refund disputes'),
        c('PREPAID', '预付卡消费', 'Prepaid cards'),
      ]),
      c('PRICE', '价格监管', 'Prices', [c('GOUGING', '哄抬价格', 'Price gouging')]),
    ],
    'market',
  ),
  c(
    'SEC',
    '公共安全',
    'Public security',
    [
      c('ORDER', '治安管理', 'Public order', [
        c('DISTURB', '扰民滋事', 'Disturbance'),
        c('FRAUD', '电信诈骗', 'Telecom fraud'),
      ]),
      c('FIRE', '消防安全', 'Fire safety', [
        c('EXIT', '消防通道堵塞', 'Blocked fire exit'),
        c('HAZARD', '火灾隐患', 'Fire hazard'),
      ]),
    ],
    'police',
  ),
  c(
    'EDU',
    '教育',
    'Education',
    [
      c('ENROL', '入学招生', 'Enrolment', [
        c('CATCHMENT', '学区划分', 'School catchment'),
        c('TRANSFER', '转学', 'School transfer'),
      ]),
      c('FEES', '教育收费', 'Education fees', [c('TUTORING', '校外培训', 'Private tutoring')]),
    ],
    'education',
  ),
  c(
    'HEALTH',
    '卫生健康',
    'Health',
    [
      c('CARE', '医疗服务', 'Medical care', [
        c('ATTITUDE', '服务态度', 'Staff attitude'),
        c('BILLING', '医疗收费', 'Medical billing'),
      ]),
      c('EPIDEMIC', '疫情防控', 'Epidemic control', [
        c('TESTING', '核酸检测', 'Testing'),
        c('QUARANTINE', '隔离管控', 'Quarantine'),
        c('SUPPLIES', '生活物资保障', 'Supplies during lockdown'),
      ]),
    ],
    'health',
  ),
  c(
    'UTIL',
    '公用事业',
    'Utilities',
    [
      c('WATER', '供水', 'Water supply', [
        c('OUTAGE', '停水', 'Water outage'),
        c('QUALITY', '水质问题', 'Water quality'),
      ]),
      c('POWER', '供电', 'Power supply', [c('OUTAGE', '停电', 'Power outage')], 'power'),
      c('GAS', '燃气', 'Gas', [c('SAFETY', '燃气安全', 'Gas safety'), c('BILLING', '燃气收费', 'Gas billing')]),
    ],
    'water',
  ),
  c(
    'URBAN',
    '城市管理',
    'Urban management',
    [
      c('VENDOR', '占道经营', 'Street vending', [c('STALL', '流动摊贩', 'Mobile stalls')]),
      c('WASTE', '垃圾清运', 'Waste collection', [
        c('PILEUP', '垃圾堆积', 'Uncollected waste'),
        c('SORTING', '垃圾分类', 'Waste sorting'),
      ]),
      c('GREEN', '园林绿化', 'Greenery', [c('TREE', '树木修剪', 'Tree trimming')]),
    ],
    'urban',
  ),
];

export interface CategoryRow {
  code: string;
  level: 1 | 2 | 3;
  parentCode: string | null;
  nameZh: string;
  nameEn: string;
}

/** A level-3 category with its ancestors and the department slug that handles it. */
export interface CategoryLeaf {
  l1: CategoryRow;
  l2: CategoryRow;
  l3: CategoryRow;
  department: string;
}

export function categoryRows(): CategoryRow[] {
  const rows: CategoryRow[] = [];
  for (const leaf of categoryLeaves()) {
    for (const row of [leaf.l1, leaf.l2, leaf.l3]) if (!rows.some((r) => r.code === row.code)) rows.push(row);
  }
  return rows;
}

export function categoryLeaves(): CategoryLeaf[] {
  const leaves: CategoryLeaf[] = [];
  for (const a of CATEGORY_TREE) {
    const l1: CategoryRow = { code: a.code, level: 1, parentCode: null, nameZh: a.zh, nameEn: a.en };
    for (const b of a.children ?? []) {
      const l2: CategoryRow = { code: `${a.code}.${b.code}`, level: 2, parentCode: a.code, nameZh: b.zh, nameEn: b.en };
      for (const x of b.children ?? []) {
        const l3: CategoryRow = {
          code: `${l2.code}.${x.code}`,
          level: 3,
          parentCode: l2.code,
          nameZh: x.zh,
          nameEn: x.en,
        };
        leaves.push({ l1, l2, l3, department: b.department ?? a.department ?? 'urban' });
      }
    }
  }
  return leaves;
}
