/**
 * What a person without a session sees (first visit, reload, signed out):
 * the app's name, a short text and "Masuk", then the published proposals
 * (`proposals` without a token answers only those), each opening the public,
 * read-only proposal page. Signing in comes back to the path the person opened.
 */
import { useEffect, useRef, useState } from "react";
import { useLocation } from "react-router";
import { useAuth } from "../auth/context";
import { RequestError } from "../components/Errors";
import { PagedList } from "../components/PagedList";
import { OpenProposalLink, ProposalCard, StateBadge } from "../components/ProposalCard";
import { ProposalFacts } from "../components/ProposalFacts";
import { PublicProposalsDocument } from "../generated/graphql";
import { useI18n } from "../i18n";

export type LandingKind = "anonymous" | "signedOut" | "expired" | "denied";

/** The sign-in button; remembers `returnPath` (under /app) for the callback. */
export function SignInButton({ returnPath, label }: { returnPath: string; label?: string }) {
  const { t } = useI18n();
  const { session } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  return (
    <>
      <button
        type="button"
        className="button button-primary button-large"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(null);
          session.signIn(returnPath).catch((e: unknown) => {
            setBusy(false);
            setError(e instanceof Error ? e : new Error(String(e)));
          });
        }}
      >
        {label ?? t.auth.signIn}
      </button>
      <RequestError error={error} />
    </>
  );
}

export function Landing({ kind = "anonymous" }: { kind?: LandingKind }) {
  const { t } = useI18n();
  const location = useLocation();
  const heading = useRef<HTMLHeadingElement>(null);
  const returnPath = kind === "signedOut" ? "/" : `${location.pathname}${location.search}`;
  useEffect(() => {
    if (kind !== "anonymous") heading.current?.focus();
  }, [kind]);
  return (
    <div className="landing">
      <h1 ref={heading} tabIndex={-1}>
        {kind === "signedOut" ? t.auth.signedOutTitle : t.auth.landingTitle}
      </h1>
      {kind === "signedOut" && <p role="status">{t.auth.signedOutText}</p>}
      {kind === "expired" && (
        <p className="alert alert-warning" role="alert">
          {t.auth.sessionExpired}
        </p>
      )}
      {kind === "denied" && (
        <p className="alert alert-warning" role="alert">
          {t.auth.accessDenied}
        </p>
      )}
      <p className="lead">{t.auth.landingText}</p>
      <SignInButton returnPath={returnPath} label={kind === "anonymous" ? t.auth.signIn : t.auth.signInAgain} />
      <p className="muted small">{t.auth.reloadNote}</p>
      {kind !== "expired" && <PublishedProposals />}
    </div>
  );
}

/** The published proposals, newest first, as anyone may see them: state, pillar, OPD, budget. */
function PublishedProposals() {
  const { t } = useI18n();
  return (
    <section className="public-list" aria-labelledby="published-title">
      <h2 id="published-title">{t.publicPage.listTitle}</h2>
      <p className="muted">{t.publicPage.listIntro}</p>
      <PagedList
        query={PublicProposalsDocument}
        variables={(after) => ({ after })}
        connection={(data) => data.proposals}
        empty={t.publicPage.empty}
      >
        {(node) => (
          <ProposalCard proposal={node} idPrefix="public" headingLevel={3} testId="public-proposal">
            <StateBadge proposal={node} />
            <ProposalFacts proposal={node} facts={["pillar", "organization", "budget"]} />
            <div className="button-row">
              <OpenProposalLink proposal={node} secondary />
            </div>
          </ProposalCard>
        )}
      </PagedList>
    </section>
  );
}

/**
 * The session ended by itself (refresh refused, 401 not cured): go back to
 * sign-in at once, keeping the current path (a vote being cast was saved in
 * sessionStorage by the ballot first). Shows the landing page meanwhile and
 * if the redirect cannot start.
 */
export function ExpiredRedirect() {
  const { session } = useAuth();
  const location = useLocation();
  const started = useRef(false);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    session.signIn(`${location.pathname}${location.search}`).catch(() => setFailed(true));
  }, [session, location.pathname, location.search]);
  return <Landing kind="expired" key={failed ? "failed" : "waiting"} />;
}
