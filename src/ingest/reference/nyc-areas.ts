import type { AreaRow } from './jiangsu-areas.js';

/**
 * New York City in the four-level area model: province = New York State (`US-NY`), city =
 * New York City (`US-NY-NYC`), district = borough (`US-NY-NYC-BK`), street = community
 * district (`US-NY-NYC-BK-01`). The 59 community districts are seeded; other numbers that
 * appear in exports (64 Manhattan = Central Park, 80-84 Queens/ Brooklyn joint interest
 * areas) are added by the nyc311 import with the same code pattern.
 *
 * Frozen: migration 1764201900000 seeds these rows; a change needs a new migration.
 */
export const NYC_STATE = { code: 'US-NY', zh: '纽约州', en: 'New York State' } as const;
export const NYC_CITY = { code: 'US-NY-NYC', zh: '纽约市', en: 'New York City' } as const;

export const NYC_BOROUGHS: { name: string; abbr: string; zh: string; en: string; boards: number }[] = [
  { name: 'MANHATTAN', abbr: 'MN', zh: '曼哈顿', en: 'Manhattan', boards: 12 },
  { name: 'BRONX', abbr: 'BX', zh: '布朗克斯', en: 'Bronx', boards: 12 },
  { name: 'BROOKLYN', abbr: 'BK', zh: '布鲁克林', en: 'Brooklyn', boards: 18 },
  { name: 'QUEENS', abbr: 'QN', zh: '皇后区', en: 'Queens', boards: 14 },
  { name: 'STATEN ISLAND', abbr: 'SI', zh: '斯塔滕岛', en: 'Staten Island', boards: 3 },
];

export function boroughCode(abbr: string): string {
  return `${NYC_CITY.code}-${abbr}`;
}

export function communityBoardCode(abbr: string, board: number): string {
  return `${boroughCode(abbr)}-${String(board).padStart(2, '0')}`;
}

export function communityBoardRow(borough: (typeof NYC_BOROUGHS)[number], board: number): AreaRow {
  return {
    code: communityBoardCode(borough.abbr, board),
    level: 'street',
    parentCode: boroughCode(borough.abbr),
    nameZh: `${borough.zh}第${board}社区委员会`,
    nameEn: `${borough.en} Community Board ${board}`,
  };
}

export function nycAreaRows(): AreaRow[] {
  const rows: AreaRow[] = [
    { code: NYC_STATE.code, level: 'province', parentCode: null, nameZh: NYC_STATE.zh, nameEn: NYC_STATE.en },
    { code: NYC_CITY.code, level: 'city', parentCode: NYC_STATE.code, nameZh: NYC_CITY.zh, nameEn: NYC_CITY.en },
  ];
  for (const b of NYC_BOROUGHS) {
    rows.push({ code: boroughCode(b.abbr), level: 'district', parentCode: NYC_CITY.code, nameZh: b.zh, nameEn: b.en });
    for (let i = 1; i <= b.boards; i++) rows.push(communityBoardRow(b, i));
  }
  return rows;
}
