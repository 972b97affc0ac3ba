/**
 * The JSON Schema of each step type of the authoring format. Every step has `type`, an optional
 * `id` (default `step_<n>`, its position) and an optional `next` (default: the step after it).
 * `./schema.ts` puts them together behind a discriminator on `type`, so a step is checked
 * against the schema of the type it declares and a wrong `type` is one problem.
 */
import { ASK_INPUTS, MEDIA_KINDS, PATTERNS, duration, expression, named, oneOrMany, stepRef, strictObject, text, type JsonSchema } from './schema-parts.js';

/** `$defs` entries, one per step type (`step_menu`, …). */
export function stepSchemas(): Record<string, JsonSchema> {
  return {
    step_send: step('send', 'Send step', 'Sends one message: a text, a media file, a location or any Cloud API message (`message`). Give exactly one of text, image, video, audio, document, sticker, location or message.', {
      text: text('Text', 'A text message (at most 4096 characters).'),
      image: media('Image', 'An image by public `link` or uploaded media `id`, with an optional caption.'),
      video: media('Video', 'A video by `link` or media `id`, with an optional caption.'),
      audio: media('Audio', 'An audio file by `link` or media `id`.'),
      document: media('Document', 'A document by `link` or media `id`, with an optional caption and filename.'),
      sticker: media('Sticker', 'A sticker by `link` or media `id`.'),
      location: strictObject('Location', 'A location pin.', {
        latitude: { title: 'Latitude', description: 'Degrees, -90 to 90.', type: 'number', minimum: -90, maximum: 90 },
        longitude: { title: 'Longitude', description: 'Degrees, -180 to 180.', type: 'number', minimum: -180, maximum: 180 },
        name: text('Name', 'The place name.', 1000),
        address: text('Address', 'The address under the name.', 1000),
      }, ['latitude', 'longitude']),
      message: {
        title: 'Message',
        description: 'Any message as the Cloud API send body without `to` and `messaging_product`: its `type` and the object of that name, e.g. {type: interactive, interactive: {...}}. Strings inside may hold {{expression}} placeholders.',
        type: 'object',
        required: ['type'],
        properties: { type: { title: 'Message type', description: 'The Cloud API message type.', enum: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'reaction'] } },
      },
    }, []),
    step_send_template: step('send_template', 'Send template step', 'Sends an approved template: the only step that can reach a customer whose 24-hour window is closed (e.g. a reminder started by the API).', {
      template: strictObject('Template', 'Which approved template, in which language, with which parameters.', {
        name: { title: 'Template name', description: 'The approved template name.', type: 'string', minLength: 1, maxLength: 512, examples: ['appointment_reminder'] },
        language: named(PATTERNS.templateLanguage, 'Template language', 'The template language code, as approved.'),
        components: { title: 'Components', description: 'The Cloud API template components (header, body and button parameters); strings may hold {{expression}} placeholders.', type: 'array', items: { type: 'object' } },
      }, ['name', 'language']),
    }, ['template']),
    step_menu: step('menu', 'Menu step', 'Offers options and waits for the choice: up to 3 options as reply buttons, 4 to 10 as a list, more as a list paged by the engine. A typed answer is matched to an option by its title, id or synonyms.', {
      text: text('Text', 'The question above the options (at most 1024 characters).', 1024),
      header: text('Header', 'A short title above the text (at most 60 characters).', 60),
      footer: text('Footer', 'A short line under the text (at most 60 characters).', 60),
      options: { title: 'Options', description: 'The choices: a plain title, or an object with title, id, description, synonyms, goto and value.', type: 'array', minItems: 1, maxItems: 100, items: menuOption() },
      var: named(PATTERNS.varName, 'Variable', 'Where the chosen option\'s value is kept (vars.NAME).'),
      max_tries: { title: 'Tries', description: 'Answers that match no option before `on_fail` (default 3).', type: 'integer', minimum: 1, maximum: 10, default: 3 },
      on_fail: stepRef('On fail', 'Where to go after `max_tries` unmatched answers (default: hand off to people).'),
    }, ['text', 'options']),
    step_ask: step('ask', 'Ask step', 'Asks a question, checks the answer (text, number, e-mail, phone, CPF, CNPJ, CEP, date, time, yes/no, choice, media or location), re-prompts with the reason, and keeps it in a variable.', {
      text: text('Text', 'The question.'),
      input: { title: 'Input', description: 'What a valid answer is (default text).', enum: [...ASK_INPUTS], default: 'text' },
      var: named(PATTERNS.varName, 'Variable', 'Where the answer is kept (vars.NAME).'),
      choices: { title: 'Choices', description: 'For input choice: the accepted answers.', type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 200 } },
      min: { title: 'Minimum', description: 'For number: the smallest value; for text: the fewest characters.', type: 'number' },
      max: { title: 'Maximum', description: 'For number: the largest value; for text: the most characters.', type: 'number' },
      media_types: { title: 'Media types', description: 'For input media: the accepted kinds (default any).', type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...MEDIA_KINDS] } },
      max_tries: { title: 'Tries', description: 'Invalid answers before `on_fail` (default 3).', type: 'integer', minimum: 1, maximum: 10, default: 3 },
      on_fail: stepRef('On fail', 'Where to go after `max_tries` invalid answers (default: hand off to people).'),
      retry_text: text('Retry text', 'Said instead of settings.texts.invalid when an answer is invalid; {{reason}} is why.'),
    }, ['text', 'var']),
    step_set: step('set', 'Set step', 'Sets variables from expressions, in order.', {
      values: {
        title: 'Values',
        description: 'Variable name → JSONata expression (or a literal number, true/false, list or object).',
        type: 'object',
        minProperties: 1,
        propertyNames: { title: 'Variable name', pattern: PATTERNS.varName.source },
        additionalProperties: expression('Value', 'The new value.'),
      },
    }, ['values']),
    step_condition: step('condition', 'Condition step', 'Goes to the first branch whose `if` is true, else to `else` (default: the next step).', {
      branches: {
        title: 'Branches',
        description: 'Tried in order.',
        type: 'array',
        minItems: 1,
        maxItems: 50,
        items: strictObject('Branch', 'A test and where it leads.', {
          if: { title: 'If', description: 'A JSONata expression; the branch is taken when it is true (truthy).', type: 'string', minLength: 1, maxLength: 2000, examples: ['vars.total > 100'] },
          goto: stepRef('Go to', 'Where this branch leads.'),
        }, ['if', 'goto']),
      },
      else: stepRef('Else', 'Where to go when no branch is true (default: the next step).'),
    }, ['branches']),
    step_http: step('http', 'HTTP step', 'Calls the company\'s API (through the same SSRF guard as outbound webhooks) and maps the answer into variables.', {
      method: { title: 'Method', description: 'The HTTP method (default GET).', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], default: 'GET' },
      url: text('URL', 'An absolute http(s) URL, or one that starts with a placeholder.', 2048),
      headers: {
        title: 'Headers',
        description: 'Header name → value (placeholders allowed).',
        type: 'object',
        propertyNames: { title: 'Header name', pattern: PATTERNS.headerName.source },
        additionalProperties: { type: 'string', maxLength: 4096 },
      },
      body: { title: 'Body', description: 'A JSON body; strings inside may hold {{expression}} placeholders.' },
      timeout: duration('Timeout', 'How long one attempt may take, 100 ms to 30 s (default 10s).'),
      timeout_ms: { title: 'Timeout (ms)', description: 'The timeout in milliseconds (use `timeout` or this).', type: 'integer', minimum: 0 },
      retries: { title: 'Retries', description: 'Attempts after the first on a network error, a timeout or a 5xx, 0 to 5 (default 0).', type: 'integer', minimum: 0, maximum: 5, default: 0 },
      save: {
        title: 'Save',
        description: 'Variable name → JSONata expression over the answer {status, body, headers}, e.g. "body.order.status".',
        type: 'object',
        propertyNames: { title: 'Variable name', pattern: PATTERNS.varName.source },
        additionalProperties: { type: 'string', minLength: 1, maxLength: 2000 },
      },
      on_error: stepRef('On error', 'Where a failure goes (network error, timeout, status 400 or more after the retries; default: the next step).'),
    }, ['url']),
    step_search: step('search', 'Search step', 'Searches a catalogue or FAQ (accents and plurals folded) and shows the best results as a list; the pick is kept in a variable.', {
      catalog: named(PATTERNS.catalogName, 'Catalogue', 'The name of one of `catalogs`.'),
      query: text('Query', 'The text searched (default {{input}}: the customer\'s last message).', 1024),
      text: text('Text', 'Said above the results list (at most 1024 characters).', 1024),
      var: named(PATTERNS.varName, 'Variable', 'Where the picked result is kept: {id, title, answer, data}.'),
      max_results: { title: 'Results', description: 'How many results to show, 1 to 10 (default 5).', type: 'integer', minimum: 1, maximum: 10, default: 5 },
      on_empty: stepRef('On empty', 'Where to go when nothing is found (default: the next step).'),
    }, ['catalog', 'text', 'var']),
    step_intent: step('intent', 'Intent step', 'Classifies the customer\'s next message by the flow\'s intents and goes where its route says.', {
      text: text('Text', 'Asked first (without it, the step classifies the next message).'),
      routes: {
        title: 'Routes',
        description: 'Intent name → step id.',
        type: 'object',
        minProperties: 1,
        propertyNames: { title: 'Intent name', pattern: PATTERNS.intentName.source },
        additionalProperties: stepRef('Route', 'Where this intent leads.'),
      },
      fallback: stepRef('Fallback', 'Where a message no route understood goes after settings.max_misses misses (default: hand off).'),
    }, ['routes']),
    step_wait: step('wait', 'Wait step', 'Waits (a scheduled job, not a sleeping process), then goes on.', {
      duration: duration('Duration', 'How long, 1 s to 30 days.'),
      duration_ms: { title: 'Duration (ms)', description: 'The duration in milliseconds (use `duration` or this).', type: 'integer', minimum: 0 },
    }, []),
    step_goto: step('goto', 'Go to step', 'Jumps to another step of this flow, or starts another flow (this one ends). Give `step` or `flow`.', {
      step: stepRef('Step', 'The step to jump to.'),
      flow: named(PATTERNS.flowName, 'Flow', 'The name of another flow of the workspace to start.'),
    }, []),
    step_handoff: step('handoff', 'Handoff step', 'Hands the conversation to people: a queue gets it with a summary of what the bot collected; the bot stays silent until it is resolved.', {
      queue: named(PATTERNS.queueName, 'Queue', 'The queue (team) that gets the conversation (default settings.default_queue).'),
      text: text('Text', 'Said to the customer before the handoff.'),
      summary: { title: 'Summary', description: 'The variables shown to the agent (default: every variable set).', type: 'array', items: named(PATTERNS.varName, 'Variable', 'A variable name.') },
    }, []),
    step_form: step('form', 'Form step', 'Saves the variables collected so far as a form submission (listed by the API, exported as CSV or XLSX, sent as form.submitted).', {
      form: named(PATTERNS.flowName, 'Form', 'The form\'s name; its submissions are listed under it.'),
      fields: { title: 'Fields', description: 'The variables saved as the submission\'s fields.', type: 'array', minItems: 1, maxItems: 100, items: named(PATTERNS.varName, 'Field', 'A variable name.') },
    }, ['form', 'fields']),
    step_survey: step('survey', 'Survey step', 'Asks for a satisfaction score: CSAT 1 to 5 or NPS 0 to 10, then an optional comment.', {
      kind: { title: 'Kind', description: 'csat (1 to 5) or nps (0 to 10).', enum: ['csat', 'nps'] },
      text: text('Text', 'The question.'),
      comment: { title: 'Comment', description: 'Ask for a comment after the score (default false).', type: 'boolean', default: false },
      comment_text: text('Comment text', 'The comment question.'),
      thanks: text('Thanks', 'Said at the end.'),
    }, ['kind', 'text']),
    step_end: step('end', 'End step', 'Ends the session, optionally with a last message.', {
      text: text('Text', 'Said before ending.'),
    }, []),
  };
}

function step(type: string, title: string, description: string, properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return strictObject(title, description, {
    type: { title: 'Step type', description: `"${type}".`, const: type },
    id: named(PATTERNS.stepId, 'Step id', 'Unique in the flow; what `next` and `goto` name (default step_<n>, n its position from 1).'),
    next: stepRef('Next', 'The step after this one (default: the next in the list; after the last, the session ends).'),
    ...properties,
  }, ['type', ...required]);
}

function media(title: string, description: string): JsonSchema {
  return {
    ...strictObject(title, description, {
      link: text('Link', 'A public https URL of the file.', 2048),
      id: { title: 'Media id', description: 'An uploaded media id.', type: 'string', minLength: 1, maxLength: 256 },
      caption: text('Caption', 'A caption (image, video and document only).', 1024),
      filename: text('File name', 'The name the customer sees (document only).', 240),
    }),
    minProperties: 1,
  };
}

function menuOption(): JsonSchema {
  return {
    title: 'Option',
    description: 'A plain title (id opt_<n>), or an object.',
    type: ['string', 'object'],
    if: { type: 'string' },
    then: { type: 'string', minLength: 1, maxLength: 200 },
    else: strictObject('Option', 'An option with its own id, where it leads and what it stores.', {
      id: { title: 'Option id', description: 'The reply id (at most 256 characters; default opt_<n>, n its position from 1).', type: 'string', minLength: 1, maxLength: 256 },
      title: { title: 'Title', description: 'What the button or row says: at most 20 characters as a button (3 options or fewer), 24 as a list row.', type: 'string', minLength: 1, maxLength: 200 },
      description: { title: 'Description', description: 'A list row\'s second line (at most 72 characters).', type: 'string', minLength: 1, maxLength: 200 },
      synonyms: oneOrMany('Synonyms', 'Other words a typed answer may use for this option.', { type: 'string', minLength: 1, maxLength: 200 }, { minItems: 0 }),
      goto: stepRef('Go to', 'Where this option leads (default: the step\'s next).'),
      value: { title: 'Value', description: 'Stored in the step\'s `var` when chosen (default: the option id).' },
    }, ['title']),
  };
}
