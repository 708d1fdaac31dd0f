/** Controlled vocabularies of the case model; codes are what the API and the rollups use. */
export const CHANNELS = ['phone', 'web', 'app', 'wechat', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const KINDS = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const;
export type Kind = (typeof KINDS)[number];

export const OUTCOMES = ['solved', 'partly', 'unsolved', 'returned'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const SATISFACTIONS = ['satisfied', 'basically', 'dissatisfied', 'unrated'] as const;
export type Satisfaction = (typeof SATISFACTIONS)[number];

export const AREA_LEVELS = ['province', 'city', 'district', 'street'] as const;
export type AreaLevel = (typeof AREA_LEVELS)[number];

/** Chinese labels, as they appear in 12345 exports. */
export const KIND_LABELS: Record<Kind, [zh: string, en: string]> = {
  consultation: ['咨询', 'Consultation'],
  help: ['求助', 'Help'],
  complaint: ['投诉', 'Complaint'],
  report: ['举报', 'Report'],
  suggestion: ['建议', 'Suggestion'],
  praise: ['表扬', 'Praise'],
};
export const CHANNEL_LABELS: Record<Channel, [zh: string, en: string]> = {
  phone: ['电话', 'Phone'],
  web: ['网站', 'Web'],
  app: ['APP', 'App'],
  wechat: ['微信', 'WeChat'],
  other: ['其他', 'Other'],
};
export const OUTCOME_LABELS: Record<Outcome, [zh: string, en: string]> = {
  solved: ['解决', 'Solved'],
  partly: ['部分解决', 'Partly solved'],
  unsolved: ['未解决', 'Unsolved'],
  returned: ['退单', 'Returned'],
};
export const SATISFACTION_LABELS: Record<Satisfaction, [zh: string, en: string]> = {
  satisfied: ['满意', 'Satisfied'],
  basically: ['基本满意', 'Basically satisfied'],
  dissatisfied: ['不满意', 'Dissatisfied'],
  unrated: ['未评价', 'Not rated'],
};

/** Time zone in which hotline time buckets (day, hour, week) are cut. */
export const HOTLINE_TIME_ZONE = 'Asia/Shanghai';
