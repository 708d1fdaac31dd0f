import { identifyRepeatedNames, Member } from './member-directory.js';

const m = (code: string, parentCode: string | null, labelZh: string, labelEn: string): Member => ({
  code,
  parentCode,
  labelZh,
  labelEn,
});

describe(identifyRepeatedNames.name, () => {
  it('adds the parent where a name repeats, the grandparent where that is not enough, and leaves unique names alone', () => {
    const provinces = [m('320000', null, '江苏省', 'Jiangsu')];
    const cities = [
      m('320100', '320000', '南京市', 'Nanjing'),
      m('320300', '320000', '徐州市', 'Xuzhou'),
      m('320500', '320000', '苏州市', 'Suzhou'),
    ];
    const districts = [
      m('320106', '320100', '鼓楼区', 'Gulou District'),
      m('320302', '320300', '鼓楼区', 'Gulou District'),
      m('320509', '320500', '吴江区', 'Wujiang District'),
      m('320506', '320500', '吴中区', 'Wuzhong District'),
    ];
    const streets = [
      m('320509001', '320509', '城北街道', 'Chengbei Subdistrict'),
      m('320506001', '320506', '城北街道', 'Chengbei Subdistrict'),
      m('320106001', '320106', '湖南路街道', 'Hunanlu Subdistrict'),
      m('320302001', '320302', '湖南路街道', 'Hunanlu Subdistrict'),
      m('320509002', '320509', '松陵街道', 'Songling Subdistrict'),
    ];
    identifyRepeatedNames([provinces, cities, districts, streets]);
    expect(cities.map((c) => c.labelZh)).toEqual(['南京市', '徐州市', '苏州市']);
    expect(districts.map((d) => [d.labelZh, d.labelEn])).toEqual([
      ['鼓楼区 (南京市)', 'Gulou District (Nanjing)'],
      ['鼓楼区 (徐州市)', 'Gulou District (Xuzhou)'],
      ['吴江区', 'Wujiang District'],
      ['吴中区', 'Wuzhong District'],
    ]);
    expect(streets.map((s) => [s.labelZh, s.labelEn])).toEqual([
      ['城北街道 (吴江区)', 'Chengbei Subdistrict (Wujiang District)'],
      ['城北街道 (吴中区)', 'Chengbei Subdistrict (Wuzhong District)'],
      // Both parents are called 鼓楼区: the city is needed too.
      ['湖南路街道 (南京市鼓楼区)', 'Hunanlu Subdistrict (Gulou District, Nanjing)'],
      ['湖南路街道 (徐州市鼓楼区)', 'Hunanlu Subdistrict (Gulou District, Xuzhou)'],
      ['松陵街道', 'Songling Subdistrict'],
    ]);
  });
});
