/**
 * A proposal's workflow labels (states and transitions in the UI language),
 * from `workflow(name, version)`: asked once per version, then served from
 * urql's cache. Nothing here decides who may do what.
 */
import { useQuery } from "urql";
import { WorkflowLabelsDocument, type WorkflowLabelsQuery } from "../generated/graphql";

export type WorkflowInfo = NonNullable<WorkflowLabelsQuery["workflow"]>;

export interface WorkflowLabels {
  workflow: WorkflowInfo | null;
  /** The state's label, or its name while loading or when unknown. */
  stateLabel: (state: string) => string;
  /** True when the state is final (the proposal can go no further). */
  isFinal: (state: string) => boolean;
  /** True when the workflow file marks the state `progress` (implementation: milestones, KPIs, spending). */
  isProgress: (state: string) => boolean;
  /** The transitions of `trigger` out of `state` (one trigger may have several destinations). */
  transitionsFrom: (state: string, trigger: string) => WorkflowInfo["transitions"];
}

/** The labels of workflow `name` at `version` (null version: the latest). */
export function useWorkflow(name: string | null | undefined, version?: number | null): WorkflowLabels {
  const [{ data }] = useQuery({
    query: WorkflowLabelsDocument,
    variables: { name: name ?? "", version: version ?? null },
    pause: !name,
    requestPolicy: "cache-first",
  });
  const workflow = data?.workflow ?? null;
  return {
    workflow,
    stateLabel: (state) => workflow?.states.find((s) => s.name === state)?.label ?? state,
    isFinal: (state) => workflow?.states.find((s) => s.name === state)?.final ?? false,
    isProgress: (state) => workflow?.states.find((s) => s.name === state)?.progress ?? false,
    transitionsFrom: (state, trigger) =>
      workflow?.transitions.filter((t) => t.trigger === trigger && t.sources.includes(state)) ?? [],
  };
}
