/** /app/: goes to the viewer's home, "Tugas saya" (every role); a member without a role is told so. */
import { Link, Navigate } from "react-router";
import { homePath } from "../components/roles";
import { useViewer } from "../components/viewer";
import { useI18n } from "../i18n";

export function Home() {
  const viewer = useViewer();
  const { t } = useI18n();
  const path = homePath(viewer.roles);
  if (path) return <Navigate to={path} replace />;
  return (
    <>
      <h1>{t.home.title}</h1>
      <p>{t.home.welcome(viewer.displayName)}</p>
      <p>{t.home.noRole}</p>
    </>
  );
}

/** A path under /app/ the client has no page for (signed in or not), with the way home. */
export function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t.common.notFoundTitle}</h1>
      <p>{t.common.notFoundText}</p>
      <p>
        <Link className="button button-secondary" to="/" data-testid="go-home">
          {t.common.goHome}
        </Link>
      </p>
    </>
  );
}
