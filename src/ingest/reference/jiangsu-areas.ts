/**
 * Jiangsu province: its 13 prefecture-level cities and their 95 county-level divisions, with
 * the national administrative division codes (GB/T 2260, as of 2021: Nantong's Gangzha merged
 * into Chongchuan, Haimen became a district). Population (millions, 2020 census) weights the
 * synthetic data. Streets are synthetic (district code + 3 digits), see `streetsOf`.
 *
 * Frozen: migration 1764201900000 seeds these rows; a change needs a new migration.
 */
export interface DistrictRef {
  code: string;
  zh: string;
  en: string;
}
export interface CityRef extends DistrictRef {
  /** Resident population, millions (2020 census; Suzhou about 12.9 M by 2022). */
  population: number;
  districts: DistrictRef[];
}

export const JIANGSU = { code: '320000', zh: '江苏省', en: 'Jiangsu' } as const;

const d = (code: string, zh: string, en: string): DistrictRef => ({ code, zh, en });

export const JIANGSU_CITIES: CityRef[] = [
  {
    ...d('320100', '南京市', 'Nanjing'),
    population: 9.31,
    districts: [
      d('320102', '玄武区', 'Xuanwu District'),
      d('320104', '秦淮区', 'Qinhuai District'),
      d('320105', '建邺区', 'Jianye District'),
      d('320106', '鼓楼区', 'Gulou District'),
      d('320111', '浦口区', 'Pukou District'),
      d('320113', '栖霞区', 'Qixia District'),
      d('320114', '雨花台区', 'Yuhuatai District'),
      d('320115', '江宁区', 'Jiangning District'),
      d('320116', '六合区', 'Luhe District'),
      d('320117', '溧水区', 'Lishui District'),
      d('320118', '高淳区', 'Gaochun District'),
    ],
  },
  {
    ...d('320200', '无锡市', 'Wuxi'),
    population: 7.46,
    districts: [
      d('320205', '锡山区', 'Xishan District'),
      d('320206', '惠山区', 'Huishan District'),
      d('320211', '滨湖区', 'Binhu District'),
      d('320213', '梁溪区', 'Liangxi District'),
      d('320214', '新吴区', 'Xinwu District'),
      d('320281', '江阴市', 'Jiangyin'),
      d('320282', '宜兴市', 'Yixing'),
    ],
  },
  {
    ...d('320300', '徐州市', 'Xuzhou'),
    population: 9.08,
    districts: [
      d('320302', '鼓楼区', 'Gulou District'),
      d('320303', '云龙区', 'Yunlong District'),
      d('320305', '贾汪区', 'Jiawang District'),
      d('320311', '泉山区', 'Quanshan District'),
      d('320312', '铜山区', 'Tongshan District'),
      d('320321', '丰县', 'Feng County'),
      d('320322', '沛县', 'Pei County'),
      d('320324', '睢宁县', 'Suining County'),
      d('320381', '新沂市', 'Xinyi'),
      d('320382', '邳州市', 'Pizhou'),
    ],
  },
  {
    ...d('320400', '常州市', 'Changzhou'),
    population: 5.28,
    districts: [
      d('320402', '天宁区', 'Tianning District'),
      d('320404', '钟楼区', 'Zhonglou District'),
      d('320411', '新北区', 'Xinbei District'),
      d('320412', '武进区', 'Wujin District'),
      d('320413', '金坛区', 'Jintan District'),
      d('320481', '溧阳市', 'Liyang'),
    ],
  },
  {
    ...d('320500', '苏州市', 'Suzhou'),
    population: 12.75,
    districts: [
      d('320505', '虎丘区', 'Huqiu District'),
      d('320506', '吴中区', 'Wuzhong District'),
      d('320507', '相城区', 'Xiangcheng District'),
      d('320508', '姑苏区', 'Gusu District'),
      d('320509', '吴江区', 'Wujiang District'),
      d('320581', '常熟市', 'Changshu'),
      d('320582', '张家港市', 'Zhangjiagang'),
      d('320583', '昆山市', 'Kunshan'),
      d('320585', '太仓市', 'Taicang'),
    ],
  },
  {
    ...d('320600', '南通市', 'Nantong'),
    population: 7.73,
    districts: [
      d('320612', '通州区', 'Tongzhou District'),
      d('320613', '崇川区', 'Chongchuan District'),
      d('320614', '海门区', 'Haimen District'),
      d('320623', '如东县', 'Rudong County'),
      d('320681', '启东市', 'Qidong'),
      d('320682', '如皋市', 'Rugao'),
      d('320685', '海安市', "Hai'an"),
    ],
  },
  {
    ...d('320700', '连云港市', 'Lianyungang'),
    population: 4.6,
    districts: [
      d('320703', '连云区', 'Lianyun District'),
      d('320706', '海州区', 'Haizhou District'),
      d('320707', '赣榆区', 'Ganyu District'),
      d('320722', '东海县', 'Donghai County'),
      d('320723', '灌云县', 'Guanyun County'),
      d('320724', '灌南县', 'Guannan County'),
    ],
  },
  {
    ...d('320800', '淮安市', "Huai'an"),
    population: 4.56,
    districts: [
      d('320803', '淮安区', "Huai'an District"),
      d('320804', '淮阴区', 'Huaiyin District'),
      d('320812', '清江浦区', 'Qingjiangpu District'),
      d('320813', '洪泽区', 'Hongze District'),
      d('320826', '涟水县', 'Lianshui County'),
      d('320830', '盱眙县', 'Xuyi County'),
      d('320831', '金湖县', 'Jinhu County'),
    ],
  },
  {
    ...d('320900', '盐城市', 'Yancheng'),
    population: 6.71,
    districts: [
      d('320902', '亭湖区', 'Tinghu District'),
      d('320903', '盐都区', 'Yandu District'),
      d('320904', '大丰区', 'Dafeng District'),
      d('320921', '响水县', 'Xiangshui County'),
      d('320922', '滨海县', 'Binhai County'),
      d('320923', '阜宁县', 'Funing County'),
      d('320924', '射阳县', 'Sheyang County'),
      d('320925', '建湖县', 'Jianhu County'),
      d('320981', '东台市', 'Dongtai'),
    ],
  },
  {
    ...d('321000', '扬州市', 'Yangzhou'),
    population: 4.56,
    districts: [
      d('321002', '广陵区', 'Guangling District'),
      d('321003', '邗江区', 'Hanjiang District'),
      d('321012', '江都区', 'Jiangdu District'),
      d('321023', '宝应县', 'Baoying County'),
      d('321081', '仪征市', 'Yizheng'),
      d('321084', '高邮市', 'Gaoyou'),
    ],
  },
  {
    ...d('321100', '镇江市', 'Zhenjiang'),
    population: 3.21,
    districts: [
      d('321102', '京口区', 'Jingkou District'),
      d('321111', '润州区', 'Runzhou District'),
      d('321112', '丹徒区', 'Dantu District'),
      d('321181', '丹阳市', 'Danyang'),
      d('321182', '扬中市', 'Yangzhong'),
      d('321183', '句容市', 'Jurong'),
    ],
  },
  {
    ...d('321200', '泰州市', 'Taizhou'),
    population: 4.51,
    districts: [
      d('321202', '海陵区', 'Hailing District'),
      d('321203', '高港区', 'Gaogang District'),
      d('321204', '姜堰区', 'Jiangyan District'),
      d('321281', '兴化市', 'Xinghua'),
      d('321282', '靖江市', 'Jingjiang'),
      d('321283', '泰兴市', 'Taixing'),
    ],
  },
  {
    ...d('321300', '宿迁市', 'Suqian'),
    population: 4.98,
    districts: [
      d('321302', '宿城区', 'Sucheng District'),
      d('321311', '宿豫区', 'Suyu District'),
      d('321322', '沭阳县', 'Shuyang County'),
      d('321323', '泗阳县', 'Siyang County'),
      d('321324', '泗洪县', 'Sihong County'),
    ],
  },
];

/** Synthetic streets (街道): the same four names in every district, codes district + 001..004. */
const STREET_NAMES: [zh: string, en: string][] = [
  ['城东街道', 'Chengdong Subdistrict'],
  ['城西街道', 'Chengxi Subdistrict'],
  ['城南街道', 'Chengnan Subdistrict'],
  ['城北街道', 'Chengbei Subdistrict'],
];

export function streetsOf(district: DistrictRef): DistrictRef[] {
  return STREET_NAMES.map(([zh, en], i) => d(`${district.code}${String(i + 1).padStart(3, '0')}`, zh, en));
}

export interface AreaRow {
  code: string;
  level: 'province' | 'city' | 'district' | 'street';
  parentCode: string | null;
  nameZh: string;
  nameEn: string;
}

/** Every Jiangsu area row: province, cities, districts, synthetic streets. */
export function jiangsuAreaRows(): AreaRow[] {
  const rows: AreaRow[] = [
    { code: JIANGSU.code, level: 'province', parentCode: null, nameZh: JIANGSU.zh, nameEn: JIANGSU.en },
  ];
  for (const city of JIANGSU_CITIES) {
    rows.push({ code: city.code, level: 'city', parentCode: JIANGSU.code, nameZh: city.zh, nameEn: city.en });
    for (const district of city.districts) {
      rows.push({
        code: district.code,
        level: 'district',
        parentCode: city.code,
        nameZh: district.zh,
        nameEn: district.en,
      });
      for (const street of streetsOf(district)) {
        rows.push({
          code: street.code,
          level: 'street',
          parentCode: district.code,
          nameZh: street.zh,
          nameEn: street.en,
        });
      }
    }
  }
  return rows;
}
