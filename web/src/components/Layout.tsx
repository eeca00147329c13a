/**
 * The page frame: a skip link, the header (app name, the viewer's name,
 * navigation links by role, language switch, sign-out) and <main>.
 * The links shown follow the viewer's roles; that is display, not permission.
 * The programme's pages (/programme, /plan, /commitment) are public: one
 * "Programme" link leads to them, signed in or not, and a second, labelled
 * navigation above the page moves between them (five header links do not fit
 * a 360 px phone). The implementation dashboard (/dashboard, public) has its
 * own header link, for everyone. Signed in, "Tugas saya" (the home) comes first,
 * with the live task count in a badge.
 */
import type { ReactNode } from "react";
import { Link, NavLink, useLocation, useNavigate } from "react-router";
import { useAuth } from "../auth/context";
import { LANGS, useI18n, type Lang } from "../i18n";
import { COUNCIL_ROLES, OPD_ROLES, REVIEW_ROLES, hasAny } from "./roles";
import { TaskBadge, useTaskCount } from "./tasks";
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

/** The programme's public pages, in the order of their tabs. */
const PROGRAMME_PAGES = ["/programme", "/plan", "/commitment"];

function ProgrammeTabs() {
  const { t } = useI18n();
  const labels = [t.nav.programmeOverview, t.masterPlan.nav, t.nav.commitment];
  return (
    <nav className="subnav" aria-label={t.nav.programmeLabel}>
      <ul className="subnav-list">
        {PROGRAMME_PAGES.map((to, i) => (
          <li key={to}>
            <NavLink to={to} className="subnav-link">
              {labels[i]}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const viewer = useOptionalViewer();
  const roles = viewer?.roles ?? [];
  const tasks = useTaskCount();
  const links: { to: string; label: string }[] = [];
  if (hasAny(roles, COUNCIL_ROLES)) links.push({ to: "/agenda", label: t.nav.agenda });
  if (hasAny(roles, OPD_ROLES)) links.push({ to: "/mine", label: t.nav.mine });
  if (hasAny(roles, REVIEW_ROLES)) links.push({ to: "/reviews", label: t.nav.reviews });
  const { pathname } = useLocation();
  const inProgramme = PROGRAMME_PAGES.includes(pathname);
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
          <nav aria-label={t.nav.label}>
            <ul className="nav-list">
              {viewer && (
                <li>
                  <NavLink to="/tasks" className="nav-link" data-testid="nav-tasks">
                    {t.nav.tasks}
                    <TaskBadge count={tasks?.count ?? null} />
                  </NavLink>
                </li>
              )}
              {links.map((link) => (
                <li key={link.to}>
                  <NavLink to={link.to} className="nav-link">
                    {link.label}
                  </NavLink>
                </li>
              ))}
              <li>
                <NavLink to="/dashboard" className="nav-link">
                  {t.dashboard.nav}
                </NavLink>
              </li>
              <li>
                <Link to="/programme" className="nav-link" aria-current={inProgramme ? "page" : undefined}>
                  {t.nav.programme}
                </Link>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {inProgramme && <ProgrammeTabs />}
        {children}
      </main>
    </>
  );
}
