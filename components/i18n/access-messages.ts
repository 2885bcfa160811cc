/** UI strings of APP authentication and a service's access settings (English and Chinese; every key in both). */
export const accessEn = {
  'nav.appAuth': 'Authorization management',
} as const;

export const accessZh: Record<keyof typeof accessEn, string> = {
  'nav.appAuth': '授权管理',
};
