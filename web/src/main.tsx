/**
 * Start-up: read /app/config.json, move to the issuer's origin when opened
 * elsewhere (the redirect URI is exact), then render the app.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { ApiProvider } from "./api/provider";
import { AuthProvider } from "./auth/context";
import { OAuthClient } from "./auth/oauth";
import { Session } from "./auth/session";
import { issuerOriginRedirect, loadConfig } from "./config";
import { adoptCityLang, I18nProvider, storedLang } from "./i18n";
import { AppRoutes } from "./routes";
import "./styles.css";

function renderFatal(root: HTMLElement): void {
  const lang = storedLang();
  document.documentElement.lang = lang;
  const main = document.createElement("main");
  main.className = "fatal";
  const heading = document.createElement("h1");
  heading.textContent = "Council";
  const text = document.createElement("p");
  text.setAttribute("role", "alert");
  text.textContent =
    lang === "en"
      ? "The application could not start. Please reload the page."
      : "Aplikasi tidak dapat dimulai. Silakan muat ulang halaman.";
  main.append(heading, text);
  root.replaceChildren(main);
}

async function boot(): Promise<void> {
  const element = document.getElementById("root");
  if (!element) return;
  let config;
  try {
    config = await loadConfig();
  } catch {
    renderFatal(element);
    return;
  }
  const redirect = issuerOriginRedirect(config);
  if (redirect) {
    window.location.replace(redirect);
    return;
  }
  adoptCityLang(config.language);
  const session = new Session(new OAuthClient(config));
  createRoot(element).render(
    <StrictMode>
      <I18nProvider>
        <AuthProvider config={config} session={session}>
          <ApiProvider>
            <BrowserRouter basename="/app">
              <AppRoutes />
            </BrowserRouter>
          </ApiProvider>
        </AuthProvider>
      </I18nProvider>
    </StrictMode>,
  );
}

void boot();
