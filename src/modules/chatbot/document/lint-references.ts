/**
 * The rules about names: step ids are unique and every reference names a step that exists;
 * intents, catalogues and option ids likewise; the triggers make sense together; and every step
 * can be reached from `start` (a warning: it may be an entry point for the API).
 */
import { didYouMean, error, warning, type Finding, type PathSegments } from './problem.js';
import type { FlowDocument, Step } from './types.js';

/** A place in the document that names a step. */
interface StepReference {
  at: PathSegments;
  id: string;
}

export function lintReferences(flow: FlowDocument): Finding[] {
  const findings: Finding[] = [];
  const ids = uniqueStepIds(flow, findings);
  for (const reference of stepReferences(flow)) {
    if (ids.has(reference.id)) continue;
    const known = [...ids];
    const shown = known.length <= 12 ? ` Steps: ${known.join(', ')}.` : '';
    findings.push(error('reference.unknown-step', reference.at, `"${reference.id}" is not a step of this flow${didYouMean(reference.id, known)}.`, `Write the id of an existing step, or add a step with id: ${reference.id}.${shown}`));
  }
  lintIntents(flow, findings);
  lintCatalogs(flow, findings);
  lintTriggers(flow, findings);
  lintOptions(flow, findings);
  if (!findings.some((finding) => finding.severity === 'error')) findings.push(...unreachableSteps(flow));
  return findings;
}

function uniqueStepIds(flow: FlowDocument, findings: Finding[]): Set<string> {
  const first = new Map<string, number>();
  flow.steps.forEach((step, index) => {
    const earlier = first.get(step.id);
    if (earlier === undefined) first.set(step.id, index);
    else findings.push(error('step.duplicate-id', ['steps', index, 'id'], `Two steps have the id "${step.id}" (steps[${earlier}] and steps[${index}]).`, `Give this step another id, e.g. ${step.id}_2, and update what should lead to it.`));
  });
  return new Set(first.keys());
}

/** Every place that names a step, with its path in the authoring document. */
export function stepReferences(flow: FlowDocument): StepReference[] {
  const references: StepReference[] = [];
  const add = (at: PathSegments, id: string | undefined) => {
    if (id !== undefined) references.push({ at, id });
  };
  if (flow.start !== '') add(['start'], flow.start);
  flow.intents.forEach((intent, index) => add(['intents', index, 'goto'], intent.goto));
  flow.steps.forEach((step, index) => {
    const at: PathSegments = ['steps', index];
    add([...at, 'next'], step.next);
    switch (step.type) {
      case 'menu':
        step.options.forEach((option, position) => add([...at, 'options', position, 'goto'], option.goto));
        add([...at, 'on_fail'], step.on_fail);
        break;
      case 'ask':
        add([...at, 'on_fail'], step.on_fail);
        break;
      case 'condition':
        step.branches.forEach((branch, position) => add([...at, 'branches', position, 'goto'], branch.goto));
        add([...at, 'else'], step.else);
        break;
      case 'http':
        add([...at, 'on_error'], step.on_error);
        break;
      case 'search':
        add([...at, 'on_empty'], step.on_empty);
        break;
      case 'intent':
        for (const [intent, target] of Object.entries(step.routes)) add([...at, 'routes', intent], target);
        add([...at, 'fallback'], step.fallback);
        break;
      case 'goto':
        add([...at, 'step'], step.step);
        break;
      default:
        break;
    }
  });
  return references;
}

function lintIntents(flow: FlowDocument, findings: Finding[]): void {
  const names = new Set<string>();
  flow.intents.forEach((intent, index) => {
    if (names.has(intent.name)) findings.push(error('intent.duplicate', ['intents', index, 'name'], `Two intents are named "${intent.name}".`, 'Merge their phrases into one intent, or rename one.'));
    names.add(intent.name);
    if (intent.global && intent.goto === undefined && intent.action === undefined) {
      findings.push(error('intent.global-target', ['intents', index], `The global intent "${intent.name}" has neither goto nor action.`, 'Add goto: STEP_ID, or action: menu, back, handoff or end.'));
    }
    if (intent.goto !== undefined && intent.action !== undefined) {
      findings.push(error('intent.two-targets', ['intents', index, 'action'], `The intent "${intent.name}" has both goto and action.`, 'Keep one: goto leads to a step, action does menu, back, handoff or end.'));
    }
  });
  const known = [...names];
  const unknown = (at: PathSegments, name: string) =>
    error('reference.unknown-intent', at, `"${name}" is not an intent of this flow${didYouMean(name, known)}.`, known.length > 0 ? `Use one of: ${known.join(', ')}, or add it to intents.` : `Add it to intents: {name: ${name}, phrases: [...]}.`);
  flow.triggers.forEach((trigger, index) => {
    if (trigger.type !== 'intent') return;
    trigger.intents.forEach((name, position) => {
      if (!names.has(name)) findings.push(unknown(['triggers', index, 'intents', ...(trigger.intents.length > 1 ? [position] : [])], name));
    });
  });
  flow.steps.forEach((step, index) => {
    if (step.type !== 'intent') return;
    for (const name of Object.keys(step.routes)) if (!names.has(name)) findings.push(unknown(['steps', index, 'routes', name], name));
  });
}

function lintCatalogs(flow: FlowDocument, findings: Finding[]): void {
  const names = Object.keys(flow.catalogs);
  flow.steps.forEach((step, index) => {
    if (step.type === 'search' && !(step.catalog in flow.catalogs)) {
      findings.push(error('reference.unknown-catalog', ['steps', index, 'catalog'], `"${step.catalog}" is not a catalogue of this flow${didYouMean(step.catalog, names)}.`, names.length > 0 ? `Use one of: ${names.join(', ')}, or add it under catalogs.` : `Add it: catalogs: {${step.catalog}: [{id: …, title: …}]}.`));
    }
  });
  for (const [name, items] of Object.entries(flow.catalogs)) {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.id)) findings.push(error('catalog.duplicate-id', ['catalogs', name, index, 'id'], `Two items of "${name}" have the id "${item.id}".`, 'Give each item its own id: the id is what a pick stores and what the list row replies.'));
      seen.add(item.id);
    });
  }
}

function lintTriggers(flow: FlowDocument, findings: Finding[]): void {
  let anySeen = false;
  flow.triggers.forEach((trigger, index) => {
    if (trigger.type === 'any') {
      if (anySeen) findings.push(error('trigger.any-twice', ['triggers', index], 'The flow has more than one "any" trigger.', 'Keep one: it already starts the flow on any message.'));
      anySeen = true;
    }
    if (trigger.type === 'api') {
      const first = flow.steps.find((step) => step.id === flow.start);
      if (first && first.type !== 'send_template') {
        findings.push(
          warning(
            'trigger.api-window',
            ['triggers', index],
            `The flow is started by the API, but its first step ("${first.id}") is ${/^[aeiou]/.test(first.type) ? 'an' : 'a'} ${first.type} step: when the contact's 24-hour window is closed, only a template can be sent, so the flow will stop there.`,
            'Make the first step a send_template step (e.g. a reminder with confirm and reschedule buttons); the customer\'s reply reopens the window for the rest.',
          ),
        );
      }
    }
  });
}

function lintOptions(flow: FlowDocument, findings: Finding[]): void {
  flow.steps.forEach((step, index) => {
    if (step.type !== 'menu') return;
    const seen = new Map<string, number>();
    step.options.forEach((option, position) => {
      const earlier = seen.get(option.id);
      if (earlier !== undefined) {
        findings.push(error('menu.duplicate-option-id', ['steps', index, 'options', position, 'id'], `Options ${earlier} and ${position} have the same id "${option.id}".`, 'Give each option its own id (or leave ids out: they default to opt_1, opt_2, …).'));
      }
      seen.set(option.id, position);
    });
  });
}

/** Steps that nothing leads to from `start` or a global intent: a warning each. */
function unreachableSteps(flow: FlowDocument): Finding[] {
  const index = new Map(flow.steps.map((step, position) => [step.id, position]));
  const reached = new Set<string>();
  const pending: string[] = [flow.start, ...flow.intents.flatMap((intent) => (intent.goto !== undefined ? [intent.goto] : []))];
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (reached.has(id) || !index.has(id)) continue;
    reached.add(id);
    const position = index.get(id) as number;
    pending.push(...successors(flow.steps[position] as Step, flow.steps[position + 1]));
  }
  return flow.steps.flatMap((step, position) =>
    reached.has(step.id) ? [] : [warning('step.unreachable', ['steps', position], `No step leads to "${step.id}": it never runs (unless the API starts the flow there).`, `Lead to it with next, goto or an option's goto from another step, or remove it.`)],
  );
}

function successors(step: Step, following: Step | undefined): string[] {
  const next = step.next ?? following?.id;
  const out: Array<string | undefined> = [];
  switch (step.type) {
    case 'end':
    case 'handoff':
      return [];
    case 'goto':
      return step.step !== undefined ? [step.step] : [];
    case 'menu':
      out.push(...step.options.map((option) => option.goto ?? next), step.on_fail);
      break;
    case 'condition':
      out.push(...step.branches.map((branch) => branch.goto), step.else ?? next);
      return out.filter((id): id is string => id !== undefined);
    case 'intent':
      out.push(...Object.values(step.routes), step.fallback, next);
      break;
    case 'ask':
      out.push(step.on_fail, next);
      break;
    case 'http':
      out.push(step.on_error, next);
      break;
    case 'search':
      out.push(step.on_empty, next);
      break;
    default:
      out.push(next);
  }
  return out.filter((id): id is string => id !== undefined);
}
