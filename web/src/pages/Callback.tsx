/**
 * /app/callback: the OAuth redirect URI. Exchanges the code (once), then goes
 * back to the path saved before the redirect. A refused consent or a failed
 * exchange shows the landing page with the reason.
 */
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { useAuth } from "../auth/context";
import { AuthorizationDenied } from "../auth/oauth";
import { Loading } from "../components/Errors";
import { useI18n } from "../i18n";
import { Landing } from "./Landing";

export function Callback() {
  const { session } = useAuth();
  const { t } = useI18n();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<"denied" | "failed" | null>(null);
  useEffect(() => {
    let live = true;
    session
      .completeSignIn(new URL(window.location.href))
      .then((returnPath) => {
        if (live) void navigate(returnPath, { replace: true });
      })
      .catch((error: unknown) => {
        if (!live) return;
        setFailure(error instanceof AuthorizationDenied && error.error === "access_denied" ? "denied" : "failed");
        void navigate("/callback", { replace: true });
      });
    return () => {
      live = false;
    };
  }, [session, navigate]);
  if (failure === "denied") return <Landing kind="denied" />;
  if (failure === "failed") {
    return (
      <>
        <p className="alert alert-error" role="alert">
          {t.auth.callbackFailed}
        </p>
        <Landing kind="anonymous" />
      </>
    );
  }
  return (
    <div className="landing">
      <h1>{t.auth.signingIn}</h1>
      <Loading />
    </div>
  );
}
