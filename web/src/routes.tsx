/**
 * The client's routes (BrowserRouter basename "/app"):
 *
 *   /                      home: "Tugas saya" for every role (redirect to /tasks)
 *   /tasks                 the viewer's tasks, counted per kind, live      (pages/tasks)
 *   /settings/notifications the viewer's notification preferences         (pages/tasks)
 *   /agenda                council: proposals in quick_win_approval   (pages/council)
 *   /proposals/:id         the proposal page                          (pages/council)
 *   /mine                  OPD: the organisation's proposals          (pages/opd)
 *   /proposals/new         OPD: new draft                             (pages/opd)
 *   /proposals/:id/edit    OPD: edit a draft                          (pages/opd)
 *   /reviews               technical team: the review queue           (pages/review)
 *   /proposals/:id/review  technical team: the review form            (pages/review)
 *   /programme             the current programme: phases, sessions, pillars (pages/programme; public)
 *   /plan                  the master plan (public; comment, finalise)  (pages/plan)
 *   /commitment            the programme's commitment (public; signatories sign)  (pages/Commitment)
 *   /dashboard             the implementation dashboard (public): progress per pillar, quick wins, ballots (pages/dashboard)
 *   /callback              the OAuth redirect URI
 *
 * Without a session /proposals/:id is the public, read-only proposal page (a
 * published proposal: the API's rule), /programme, /plan, /commitment, /dashboard and /callback work, the other paths
 * show the landing page with the published proposals (signing in comes back
 * to that path), and any other path is "page not found", as when signed in;
 * an expired session goes back to sign-in.
 */
import { Route, Routes } from "react-router";
import { useSessionSnapshot } from "./auth/context";
import { Layout } from "./components/Layout";
import { ViewerGate } from "./components/viewer";
import { Callback } from "./pages/Callback";
import { CommitmentPage } from "./pages/Commitment";
import { Home, NotFound } from "./pages/Home";
import { ExpiredRedirect, Landing, type LandingKind } from "./pages/Landing";
import { Agenda } from "./pages/council/Agenda";
import { ProposalPage } from "./pages/council/ProposalPage";
import { MyProposals } from "./pages/opd/MyProposals";
import { ProposalForm } from "./pages/opd/ProposalForm";
import { ReviewForm } from "./pages/review/ReviewForm";
import { ProgrammePage } from "./pages/programme/ProgrammePage";
import { MasterPlanPage } from "./pages/plan/MasterPlanPage";
import { DashboardPage } from "./pages/dashboard/DashboardPage";
import { ReviewQueue } from "./pages/review/ReviewQueue";
import { NotificationSettings } from "./pages/tasks/NotificationSettings";
import { TasksPage } from "./pages/tasks/TasksPage";
import { TaskCountProvider } from "./components/tasks";

function SignedInRoutes() {
  return (
    <Routes>
      <Route index element={<Home />} />
      <Route path="tasks" element={<TasksPage />} />
      <Route path="settings/notifications" element={<NotificationSettings />} />
      <Route path="agenda" element={<Agenda />} />
      <Route path="mine" element={<MyProposals />} />
      <Route path="reviews" element={<ReviewQueue />} />
      <Route path="plan" element={<MasterPlanPage />} />
      <Route path="proposals/new" element={<ProposalForm mode="new" />} />
      <Route path="proposals/:id" element={<ProposalPage />} />
      <Route path="proposals/:id/edit" element={<ProposalForm mode="edit" />} />
      <Route path="proposals/:id/review" element={<ReviewForm />} />
      <Route path="programme" element={<ProgrammePage />} />
      <Route path="commitment" element={<CommitmentPage />} />
      <Route path="dashboard" element={<DashboardPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

/** The signed-in pages a visitor without a session is asked to sign in for (the landing page). */
const SIGN_IN_PATHS = ["tasks", "settings/notifications", "agenda", "mine", "reviews", "proposals/new", "proposals/:id/edit", "proposals/:id/review"];

/** Without a session: the public proposal page, the landing page for the app's other pages, else not found. */
function SignedOutRoutes({ kind }: { kind: LandingKind }) {
  const landing = <Landing kind={kind} />;
  return (
    <Routes>
      <Route index element={landing} />
      {SIGN_IN_PATHS.map((path) => (
        <Route key={path} path={path} element={landing} />
      ))}
      <Route path="proposals/:id" element={<ProposalPage />} />
      <Route path="programme" element={<ProgrammePage />} />
      <Route path="plan" element={<MasterPlanPage />} />
      <Route path="commitment" element={<CommitmentPage />} />
      <Route path="dashboard" element={<DashboardPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

export function AppRoutes() {
  const { status } = useSessionSnapshot();
  return (
    <Routes>
      <Route
        path="callback"
        element={
          <Layout>
            <Callback />
          </Layout>
        }
      />
      <Route
        path="*"
        element={
          status === "signedIn" ? (
            <ViewerGate
              anonymous={
                <Layout>
                  <ExpiredRedirect />
                </Layout>
              }
            >
              <TaskCountProvider>
                <Layout>
                  <SignedInRoutes />
                </Layout>
              </TaskCountProvider>
            </ViewerGate>
          ) : (
            <Layout>
              {status === "expired" ? <ExpiredRedirect /> : <SignedOutRoutes kind={status === "signedOut" ? "signedOut" : "anonymous"} />}
            </Layout>
          )
        }
      />
    </Routes>
  );
}
