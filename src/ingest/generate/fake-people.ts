import { Prng } from './prng.js';

/** Fake but realistic callers: names, Chinese mobile/landline numbers, ID numbers, e-mail addresses. */
const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [
  ...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚文华红鹏辉玲峰斌波宇浩凯婷琳雪倩颖',
  '秀英',
  '桂英',
  '建华',
  '玉兰',
  '志强',
  '海燕',
  '晓东',
  '建国',
  '丽娟',
  '春梅',
  '国庆',
  '永明',
  '淑珍',
  '子涵',
  '梓轩',
  '一鸣',
  '思远',
  '雨涵',
  '欣怡',
];
const MOBILE_PREFIXES = [
  '139',
  '138',
  '137',
  '136',
  '135',
  '158',
  '159',
  '150',
  '151',
  '152',
  '187',
  '188',
  '182',
  '183',
  '130',
  '131',
  '132',
  '155',
  '156',
  '185',
  '186',
  '133',
  '153',
  '180',
  '181',
  '189',
  '177',
  '173',
  '199',
  '198',
  '166',
];
const AREA_CODES: Record<string, string> = {
  '320100': '025',
  '320200': '0510',
  '320300': '0516',
  '320400': '0519',
  '320500': '0512',
  '320600': '0513',
  '320700': '0518',
  '320800': '0517',
  '320900': '0515',
  '321000': '0514',
  '321100': '0511',
  '321200': '0523',
  '321300': '0527',
};

export function fakeName(rng: Prng): string {
  return rng.pick(SURNAMES) + (rng.chance(0.35) ? rng.pick(GIVEN) : rng.pick(GIVEN) + rng.pick(GIVEN)).slice(0, 2);
}

/** A mobile number (85%, sometimes written +86 or with separators) or a landline of the city. */
export function fakePhone(rng: Prng, cityCode: string): string {
  if (rng.chance(0.85)) {
    const n = rng.pick(MOBILE_PREFIXES) + rng.digits(8);
    const style = rng.int(10);
    if (style === 0) return `+86 ${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
    if (style === 1) return `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
    return n;
  }
  const area = AREA_CODES[cityCode] ?? '025';
  return `${area}-${String(5 + rng.int(4))}${rng.digits(7)}`;
}

/** An 18-digit resident ID number with a valid check digit (GB 11643). */
export function fakeIdNumber(rng: Prng, districtCode: string): string {
  const year = 1950 + rng.int(55);
  const month = String(1 + rng.int(12)).padStart(2, '0');
  const day = String(1 + rng.int(28)).padStart(2, '0');
  const body = `${districtCode}${year}${month}${day}${rng.digits(3)}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, ch, i) => s + Number(ch) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

export function fakeEmail(rng: Prng): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let user = '';
  for (let i = 0; i < 5 + rng.int(4); i++) user += letters[rng.int(26)];
  return `${user}${rng.digits(3)}@${rng.pick(['163.com', 'qq.com', '126.com', 'sina.com'])}`;
}
