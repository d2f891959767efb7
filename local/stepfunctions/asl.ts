/**
 * Just enough of the Amazon States Language to walk a definition: the local stand-in
 * rewrites and inspects states, it never interprets them (aws-local-stepfunctions does).
 */
export interface AslState {
  Type: string;
  [field: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

/** Reads an untyped definition (parsed JSON) as ASL, or says which part is missing. */
export function asAslDefinition(value: unknown, where: string): AslDefinition {
  if (!isObject(value) || typeof value.StartAt !== 'string' || !isObject(value.States)) {
    throw new Error(`${where}: not a state machine definition (it needs "StartAt" and a "States" object)`);
  }
  for (const [name, state] of Object.entries(value.States)) {
    if (!isObject(state) || typeof state.Type !== 'string') {
      throw new Error(`${where}: state "${name}" has no "Type"`);
    }
  }
  return value as AslDefinition;
}

/**
 * Returns a copy of `definition` where every state, at every depth (Map ItemProcessor or
 * Iterator, Parallel Branches), went through `rewrite`. Inner definitions are rewritten
 * before the state that holds them is handed to `rewrite`. The input is never mutated.
 */
export function mapStates(
  definition: AslDefinition,
  rewrite: (name: string, state: AslState) => AslState,
): AslDefinition {
  const states: Record<string, AslState> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    states[name] = rewrite(name, withInnerDefinitions(state, (inner) => mapStates(inner, rewrite)));
  }
  return { ...definition, States: states };
}

/** Calls `visit` for every state at every depth, in definition order. */
export function forEachState(definition: AslDefinition, visit: (name: string, state: AslState) => void): void {
  mapStates(definition, (name, state) => {
    visit(name, state);
    return state;
  });
}

function withInnerDefinitions(state: AslState, rewrite: (inner: AslDefinition) => AslDefinition): AslState {
  if (state.Type === 'Map') {
    const copy: AslState = { ...state };
    for (const field of ['ItemProcessor', 'Iterator'] as const) {
      if (state[field] !== undefined) copy[field] = rewrite(asAslDefinition(state[field], `Map ${field}`));
    }
    return copy;
  }
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    return { ...state, Branches: state.Branches.map((branch) => rewrite(asAslDefinition(branch, 'Parallel branch'))) };
  }
  return state;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
