/**
 * The page frame: a skip link, the header (app name, the viewer's name,
 * navigation links by role, language switch, sign-out) and <main>.
 * The links shown follow the viewer's roles; that is display, not permission.
 */
import type { ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";
import { useAuth } from "../auth/context";
import { LANGS, useI18n, type Lang } from "../i18n";
import { COUNCIL_ROLES, OPD_ROLES, REVIEW_ROLES, hasAny } from "./roles";
import { useOptionalViewer } from "./viewer";

export function LanguageSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t.lang.switchLabel}>
      {LANGS.map((code: Lang) => (
        <button
          key={code}
          type="button"
          lang={code}
          className="lang-button"
          aria-pressed={lang === code}
          onClick={() => setLang(code)}
        >
          {code === "id" ? t.lang.id : t.lang.en}
        </button>
      ))}
    </div>
  );
}

function SignOutButton() {
  const { t } = useI18n();
  const { session } = useAuth();
  const navigate = useNavigate();
  return (
    <button
      type="button"
      className="button button-secondary button-small"
      onClick={() => {
        void session.signOut().then(() => navigate("/", { replace: true }));
      }}
    >
      {t.auth.signOut}
    </button>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const viewer = useOptionalViewer();
  const roles = viewer?.roles ?? [];
  const links: { to: string; label: string }[] = [];
  if (hasAny(roles, COUNCIL_ROLES)) links.push({ to: "/agenda", label: t.nav.agenda });
  if (hasAny(roles, OPD_ROLES)) links.push({ to: "/mine", label: t.nav.mine });
  if (hasAny(roles, REVIEW_ROLES)) links.push({ to: "/reviews", label: t.nav.reviews });
  links.push({ to: "/commitment", label: t.nav.commitment }); // public: signed out too
  return (
    <>
      <a className="skip-link" href="#main">
        {t.common.skipToContent}
      </a>
      <header className="site-header">
        <div className="header-top">
          <NavLink to="/" className="brand" end>
            <span className="brand-name">{t.common.appName}</span>
            <span className="brand-tagline">{t.common.appTagline}</span>
          </NavLink>
          <div className="header-tools">
            <LanguageSwitch />
            {viewer && <SignOutButton />}
          </div>
        </div>
        <div className="header-bottom">
          {viewer && (
            <p className="viewer-name">
              {t.nav.signedInAs(viewer.displayName)}
              <span className="viewer-org"> · {viewer.organization.name}</span>
            </p>
          )}
          {links.length > 0 && (
            <nav aria-label={t.nav.label}>
              <ul className="nav-list">
                {links.map((link) => (
                  <li key={link.to}>
                    <NavLink to={link.to} className="nav-link">
                      {link.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
