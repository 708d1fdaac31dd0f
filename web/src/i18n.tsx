import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { detectLang, type Lang } from './lang';
import { messages, type MessageKey } from './messages';

export type { Lang };
const STORE = 'hgw.lang';

export interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  /** A message in the current language, `{name}` placeholders filled from `params`. */
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** A message whose key is built at run time (e.g. `status.${status}`), or `fallback` when there is none. */
  tOr: (key: string, fallback: string) => string;
  /** The catalog's own label in the current language (falls back to the other one). */
  pick: (zh: string | null | undefined, en: string | null | undefined) => string;
  number: (value: number, digits?: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    let stored: string | null;
    try {
      stored = localStorage.getItem(STORE);
    } catch {
      stored = null;
    }
    return detectLang(stored, navigator.languages ?? [navigator.language]);
  });
  const value = useMemo<I18n>(() => {
    const dict = messages[lang];
    const formatter = new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { maximumFractionDigits: 2 });
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    return {
      lang,
      setLang: (next) => {
        try {
          localStorage.setItem(STORE, next);
        } catch {
          // private mode: the choice lasts for this page only
        }
        setLangState(next);
      },
      t: (key, params) => {
        let text: string = dict[key];
        if (params) for (const [k, v] of Object.entries(params)) text = text.split(`{${k}}`).join(String(v));
        return text;
      },
      tOr: (key, fallback) => (Object.prototype.hasOwnProperty.call(dict, key) ? dict[key as MessageKey] : fallback),
      pick: (zh, en) => (lang === 'zh' ? zh || en || '' : en || zh || ''),
      number: (v, digits) =>
        digits === undefined
          ? formatter.format(v)
          : new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
              minimumFractionDigits: digits,
              maximumFractionDigits: digits,
            }).format(v),
    };
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
