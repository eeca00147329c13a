/**
 * The UI language: the city's (config.json's "language", adoptCityLang), else
 * Bahasa Indonesia, by default; the other by choice, remembered
 * in localStorage "council.lang"; <html lang> follows. Every GraphQL request
 * sends Accept-Language for it (see api/client.ts), so the API's messages and
 * labels come in the same language.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { en } from "./en";
import { id, type Messages } from "./id";

export type Lang = "id" | "en";
export type { Messages };

export const LANGS: readonly Lang[] = ["id", "en"];
const STORAGE_KEY = "council.lang";
const DICTIONARIES: Record<Lang, Messages> = { id, en };

function rememberedLang(): Lang | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === "en" || value === "id" ? value : null;
  } catch {
    return null;
  }
}

/** The language remembered in localStorage, else Bahasa Indonesia. */
export function storedLang(): Lang {
  return rememberedLang() ?? "id";
}

let currentLang: Lang = storedLang();

/** Start in the city's language (from config.json) unless the member has picked one; call before rendering. */
export function adoptCityLang(lang: Lang | null): void {
  if (lang !== null && rememberedLang() === null) currentLang = lang;
}

/** The language in force now, for code outside React (Accept-Language, ui_locales). */
export function getLang(): Lang {
  return currentLang;
}

interface I18nValue {
  lang: Lang;
  t: Messages;
  setLang: (lang: Lang) => void;
}

const I18nContext = createContext<I18nValue | null>(null);

/** Provides the language and its dictionary to the tree below. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(currentLang);
  const setLang = useCallback((next: Lang) => {
    currentLang = next;
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(() => ({ lang, t: DICTIONARIES[lang], setLang }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The language, its dictionary `t` and `setLang`. */
export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
