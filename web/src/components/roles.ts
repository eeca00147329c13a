/**
 * Which parts of the client to show a viewer, by role. This is display only
 * (the navigation links and the home page's choice): what a person may do is
 * decided by the API (availableTransitions, availableActions, voteDenial).
 */
import type { Role } from "../generated/graphql";

export const COUNCIL_ROLES: readonly Role[] = ["COUNCIL_MEMBER", "COUNCIL_CHAIR"];
export const OPD_ROLES: readonly Role[] = ["OPD_OFFICER", "OPD_HEAD"];
export const REVIEW_ROLES: readonly Role[] = ["TECHNICAL_TEAM", "UNIVERSITY_REVIEWER"];

/** True when `roles` holds any of `wanted`. */
export function hasAny(roles: readonly Role[], wanted: readonly Role[]): boolean {
  return roles.some((role) => wanted.includes(role));
}

/** The home view for a viewer's roles: "Tugas saya" (issue 15) for every role; null without one. */
export function homePath(roles: readonly Role[]): string | null {
  return roles.length > 0 ? "/tasks" : null;
}
