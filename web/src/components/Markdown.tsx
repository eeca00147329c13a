/**
 * Markdown from the API (a master plan version), rendered by `marked` and
 * sanitised by DOMPurify before it reaches the DOM: the text is written by
 * members, so raw HTML in it is never trusted. Links open as ordinary links;
 * the page's CSP still applies (no inline styles, images from the site only).
 */
import DOMPurify from "dompurify";
import { marked } from "marked";
import { useMemo } from "react";

export function Markdown({ text, className }: { text: string; className?: string }) {
  const html = useMemo(() => {
    const raw = marked.parse(text, { async: false, gfm: true });
    return DOMPurify.sanitize(raw, { USE_PROFILES: { html: true }, FORBID_ATTR: ["style"] });
  }, [text]);
  // sanitised by DOMPurify just above: the only HTML the client inserts
  return <div className={className ?? "markdown"} dangerouslySetInnerHTML={{ __html: html }} />;
}
