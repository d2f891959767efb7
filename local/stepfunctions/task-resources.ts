import { type AslDefinition, forEachState } from './asl';

/**
 * The resource each Task state calls, keyed by state name at every depth. The engine looks
 * local handlers up by state name only, so two Tasks that share a name must share a resource.
 */
export function taskResourcesByName(definition: AslDefinition): Map<string, string> {
  const resources = new Map<string, string>();
  forEachState(definition, (name, state) => {
    if (state.Type !== 'Task') return;
    if (typeof state.Resource !== 'string') throw new Error(`Task "${name}" has no Resource string`);
    const known = resources.get(name);
    if (known !== undefined && known !== state.Resource) {
      throw new Error(
        `Task states named "${name}" call different resources (${known}, ${state.Resource}); ` +
          'the local engine routes Tasks by name, so give them distinct names',
      );
    }
    resources.set(name, state.Resource);
  });
  return resources;
}
