export const LANG_COOKIE = 'anvil_lang';
