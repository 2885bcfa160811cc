/** UI strings of My credentials → Access keys (English and Chinese; every key in both). */
export const accessKeysEn = {
  'nav.credentials': 'My credentials',
} as const;

export const accessKeysZh: Record<keyof typeof accessKeysEn, string> = {
  'nav.credentials': '我的凭证',
};
