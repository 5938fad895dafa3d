// The demo's views: create a poll, open it by its link, vote, watch the results live.
// Only the public API is used (js/api.js, js/live.js); the DOM is built with plain functions.

import { ApiProblem, closePoll, createPoll, getPoll, getResults, identity, load, newUuid, store, vote } from './api.js';
import { watchResults } from './live.js';

const $ = (id) => document.getElementById(id);

/** el('p', {class: 'x'}, 'text', child…): a small helper so views read like the markup they make. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

const plural = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

// ---- Routing: "/" creates, "/?poll=<slug>" (or "#/p/<slug>") shows one poll ---------------------

function routedSlug() {
  const fromQuery = new URLSearchParams(location.search).get('poll');
  const fromHash = location.hash.match(/^#\/p\/([^/?#]+)/);
  return fromQuery || (fromHash ? decodeURIComponent(fromHash[1]) : null);
}

const pollUrl = (slug) => `${location.origin}${location.pathname}?poll=${encodeURIComponent(slug)}`;

let current = null; // {poll, watcher}: the poll on screen and its live feed

function route() {
  if (current) current.watcher?.stop();
  current = null;
  for (const id of ['create-view', 'poll-view', 'missing-view']) $(id).hidden = true;
  const slug = routedSlug();
  if (slug) showPoll(slug);
  else showCreate();
}

function go(url) {
  history.pushState(null, '', url);
  route();
  $('main').focus(); // a keyboard or screen-reader user starts at the new view
}

// ---- Create ------------------------------------------------------------------------------------

let questionCount = 0;

function questionEditor() {
  const n = ++questionCount;
  const editor = el(
    'fieldset',
    { class: 'question-editor' },
    el('legend', {}, 'Question'),
    el(
      'div',
      { class: 'field' },
      el('label', { for: `q${n}-text` }, 'Question text'),
      el('input', { id: `q${n}-text`, class: 'question-text', required: true, maxlength: 500, autocomplete: 'off' }),
    ),
    el(
      'div',
      { class: 'field' },
      el('label', { for: `q${n}-choices` }, 'Choices, one per line'),
      el('textarea', { id: `q${n}-choices`, class: 'question-choices', rows: 3, required: true, 'aria-describedby': `q${n}-choices-hint` }),
      el('p', { id: `q${n}-choices-hint`, class: 'hint' }, '2 to 20 distinct choices.'),
    ),
    el(
      'div',
      { class: 'row' },
      el(
        'label',
        { class: 'inline', for: `q${n}-max` },
        'Choices a voter may pick',
        el('input', { id: `q${n}-max`, class: 'question-max', type: 'number', min: 1, max: 20, value: 1, style: 'width: 5rem' }),
      ),
      el('button', { type: 'button', class: 'link-button remove-question', onclick: () => removeQuestion(editor) }, 'Remove question'),
    ),
  );
  return editor;
}

function renumberQuestions() {
  const editors = [...$('questions').children];
  editors.forEach((editor, i) => {
    editor.querySelector('legend').textContent = `Question ${i + 1}`;
    editor.querySelector('.remove-question').hidden = editors.length === 1;
  });
}

function addQuestion() {
  const editor = questionEditor();
  $('questions').append(editor);
  renumberQuestions();
  return editor;
}

function removeQuestion(editor) {
  editor.remove();
  renumberQuestions();
  $('questions').querySelector('.question-text')?.focus();
}

function showCreate() {
  document.title = 'Create a poll · Pollster demo';
  if (!$('questions').children.length) addQuestion();
  $('create-view').hidden = false;
}

/** The form as the POST /api/polls body; options left at their defaults are not sent. */
function draftFromForm() {
  const draft = { title: $('poll-title').value.trim(), questions: [] };
  // the API refuses control characters in every text, line breaks included: fold them into spaces
  const description = $('poll-description').value.replace(/\s+/g, ' ').trim();
  if (description) draft.description = description;
  const closesAt = $('poll-closes-at').value;
  if (closesAt) draft.closes_at = new Date(closesAt).toISOString(); // local time → UTC instant
  if ($('poll-voters').value !== 'user') draft.voters = $('poll-voters').value;
  if ($('poll-visibility').value !== 'always') draft.results_visibility = $('poll-visibility').value;
  for (const editor of $('questions').children) {
    const question = {
      text: editor.querySelector('.question-text').value.trim(),
      choices: editor.querySelector('.question-choices').value.split('\n').map((c) => c.trim()).filter(Boolean),
    };
    const max = Number(editor.querySelector('.question-max').value) || 1;
    if (max > 1) question.max_choices = max;
    draft.questions.push(question);
  }
  return draft;
}

function showProblem(container, error) {
  container.replaceChildren(el('strong', {}, error.title || 'Something went wrong'), ' ', error.message);
  if (error.errors?.length) {
    container.append(el('ul', {}, ...error.errors.map((e) => el('li', {}, `${e.field}: ${e.message}`))));
  }
  if (error.slug === 'unauthenticated') container.append(el('p', {}, 'Check the identity settings at the bottom of the page.'));
  container.hidden = false;
}

async function onCreate(event) {
  event.preventDefault();
  const errorBox = $('create-error');
  errorBox.hidden = true;
  const draft = draftFromForm();
  if (!draft.title || draft.questions.some((q) => !q.text || q.choices.length < 2)) {
    errorBox.replaceChildren('Give the poll a title, and every question a text and at least two choices.');
    errorBox.hidden = false;
    return;
  }
  $('create-submit').disabled = true;
  try {
    const poll = await createPoll(draft);
    // the contract's newer options may not be implemented by this server yet: say so, do not pretend
    const ignored = [];
    if (draft.voters && poll.voters !== draft.voters) ignored.push('anonymous voting');
    if (draft.results_visibility && poll.results_visibility !== draft.results_visibility) ignored.push('hidden results');
    if (draft.questions.some((q, i) => q.max_choices && poll.questions[i]?.max_choices !== q.max_choices)) {
      ignored.push('several choices per question');
    }
    pendingNotice = ignored.length
      ? `This server does not support ${ignored.join(', ')} yet: the poll was created with the defaults (one choice per question, signed-in voters, results always shown).`
      : null;
    $('create-form').reset();
    $('questions').replaceChildren();
    go(pollUrl(poll.slug));
  } catch (error) {
    showProblem(errorBox, error);
  } finally {
    $('create-submit').disabled = false;
  }
}

let pendingNotice = null; // shown once on the poll view after creating it

// ---- One poll ----------------------------------------------------------------------------------

const votedKey = (poll) => `pollster.demo.voted:${poll.poll_id}:${identity.voteHeaders(poll)['X-Device-Id'] || identity.currentUserId() || 'anonymous'}`;

async function showPoll(slug) {
  let poll;
  try {
    poll = await getPoll(slug);
  } catch (error) {
    $('missing-detail').textContent =
      error.status === 404 ? `There is no poll "${slug}".` : `The poll could not be loaded: ${error.message}`;
    $('missing-view').hidden = false;
    return;
  }
  current = { poll, watcher: null, mine: new Set(JSON.parse(load(votedKey(poll)) || '[]')) };
  document.title = `${poll.title} · Pollster demo`;
  $('poll-title-heading').textContent = poll.title;
  $('poll-description-text').textContent = poll.description || '';
  $('poll-description-text').hidden = !poll.description;
  $('share-link').value = pollUrl(poll.slug);
  $('copy-status').textContent = '';
  $('poll-notices').replaceChildren(...(pendingNotice ? [el('p', { class: 'notice', role: 'status' }, pendingNotice)] : []));
  pendingNotice = null;
  renderMeta(poll);
  renderBallot(poll);
  renderResultsSkeleton(poll);
  if (poll.results) renderResults(poll.results);
  $('close-poll').hidden = !isOpen(poll) || poll.creator_id !== identity.currentUserId();
  $('poll-view').hidden = false;

  const transport = new URLSearchParams(location.search).get('transport') || 'auto';
  current.watcher = watchResults(poll.poll_id, {
    query: identity.liveQuery(poll),
    transport,
    onResults: renderResults,
    onStatus: renderLiveStatus,
  });
}

const isOpen = (poll) => !poll.closed_at && !(poll.closes_at && new Date(poll.closes_at) <= new Date());

function renderMeta(poll) {
  const parts = [];
  if (!isOpen(poll)) parts.push('Closed');
  else if (poll.closes_at) parts.push(`Open until ${new Date(poll.closes_at).toLocaleString()}`);
  else parts.push('Open');
  if (poll.voters === 'device' || poll.voters === 'ip') parts.push('anonymous voting');
  $('poll-meta').textContent = parts.join(' · ');
}

function renderBallot(poll) {
  const form = $('vote-form');
  const ballot = $('ballot');
  ballot.replaceChildren();
  $('vote-status').textContent = '';
  $('vote-status').className = 'status';
  if (!isOpen(poll)) {
    form.hidden = true;
    return;
  }
  for (const question of poll.questions) {
    const max = question.max_choices || 1;
    const type = max > 1 ? 'checkbox' : 'radio';
    const hint = max > 1 ? ` (pick up to ${max})` : '';
    ballot.append(
      el(
        'fieldset',
        { class: 'ballot-question', 'data-question-id': question.question_id },
        el('legend', {}, question.text, hint && el('span', { class: 'optional' }, hint)),
        ...question.choices.map((choice) =>
          el(
            'label',
            { class: 'choice-option' },
            el('input', { type, name: `q-${question.question_id}`, value: choice.choice_id }),
            el('span', {}, choice.text),
          ),
        ),
      ),
    );
  }
  const voted = current.mine.size > 0;
  form.querySelectorAll('input, button').forEach((input) => (input.disabled = voted));
  for (const input of form.querySelectorAll('input')) input.checked = current.mine.has(input.value);
  if (voted) setVoteStatus('You have voted on this poll.', 'ok');
  ballotKey = newUuid();
  form.hidden = false;
}

let ballotKey = null; // the Idempotency-Key of the ballot on screen, kept across retries of it

function setVoteStatus(text, kind = '') {
  $('vote-status').textContent = text;
  $('vote-status').className = `status ${kind}`;
}

async function onVote(event) {
  event.preventDefault();
  const { poll } = current;
  const answers = [];
  for (const fieldset of $('ballot').children) {
    for (const input of fieldset.querySelectorAll('input:checked')) {
      answers.push({ question_id: fieldset.dataset.questionId, choice_id: input.value });
    }
  }
  if (!answers.length) {
    setVoteStatus('Pick a choice first.', 'bad');
    return;
  }
  const form = $('vote-form');
  form.querySelectorAll('input, button').forEach((input) => (input.disabled = true));
  setVoteStatus('Sending your vote…');
  try {
    await vote(poll, answers, ballotKey);
    markVoted(answers);
    setVoteStatus('Thanks, your vote is in. The results below update within moments.', 'ok');
    if (poll.results_visibility === 'after_vote') refreshResults();
  } catch (error) {
    if (error.slug === 'already-voted') {
      markVoted(answers);
      setVoteStatus('You have already voted on this poll.', 'ok');
      return;
    }
    form.querySelectorAll('input, button').forEach((input) => (input.disabled = false));
    const messages = {
      'poll-closed': 'This poll is closed.',
      unauthenticated: 'The server needs to know who you are: check the identity settings at the bottom of the page.',
      'rate-limited': `Too many votes from here; try again in ${error.retryAfter || 'a few'} seconds.`,
      unavailable: 'The server is busy right now; try again in a moment.',
    };
    if (error.slug !== 'unknown' && error.status !== 0) ballotKey = newUuid(); // refused: a new ballot next time
    setVoteStatus(messages[error.slug] || `Your vote was not accepted: ${error.message}`, 'bad');
  }
}

function markVoted(answers) {
  for (const answer of answers) current.mine.add(answer.choice_id);
  store(votedKey(current.poll), JSON.stringify([...current.mine]));
  $('vote-form').querySelectorAll('input, button').forEach((input) => (input.disabled = true));
  for (const row of $('results-body').querySelectorAll('.result')) row.classList.toggle('mine', current.mine.has(row.dataset.choiceId));
}

async function refreshResults() {
  try {
    renderResults({ type: 'results', ...(await getResults(current.poll.poll_id)) });
  } catch (error) {
    if (!(error instanceof ApiProblem)) throw error;
  }
}

// ---- Results -----------------------------------------------------------------------------------

/** One list of bars per question, built once; renderResults only moves them. */
function renderResultsSkeleton(poll) {
  $('total-votes').textContent = '';
  $('results-announcer').textContent = '';
  $('viewers').hidden = true;
  $('results-body').replaceChildren(
    ...poll.questions.map((question) =>
      el(
        'div',
        { class: 'result-question', 'data-question-id': question.question_id },
        el('h3', { id: `rq-${question.question_id}` }, question.text),
        el('p', { class: 'hint question-total' }),
        el(
          'ul',
          { class: 'result-list', 'aria-labelledby': `rq-${question.question_id}` },
          ...question.choices.map((choice) =>
            el(
              'li',
              { class: `result${current.mine.has(choice.choice_id) ? ' mine' : ''}`, 'data-choice-id': choice.choice_id },
              el(
                'div',
                { class: 'result-label' },
                el('span', { class: 'result-text' }, choice.text),
                el('span', { class: 'result-figures' }, el('span', { class: 'count' }, '0'), ' · ', el('span', { class: 'percent' }, '0%')),
              ),
              // the numbers above are what assistive technology reads; the bar is decoration
              el('div', { class: 'bar', 'aria-hidden': 'true' }, el('div', { class: 'bar-fill' })),
            ),
          ),
        ),
      ),
    ),
  );
}

let lastAnnounced = 0;

function renderResults(message) {
  if (!current) return;
  const hidden = message.results_hidden === true;
  $('total-votes').textContent = plural(message.total_votes ?? 0, 'vote', 'votes') + (message.closed ? ' · final results' : '');
  if (typeof message.viewers === 'number') {
    $('viewers').textContent = `${plural(message.viewers, 'person', 'people')} watching`;
    $('viewers').hidden = false;
  }
  $('results-body').classList.toggle('hidden-results', hidden);
  if (hidden) {
    const why = current.poll.results_visibility === 'after_close' ? 'until the poll closes' : 'until you vote';
    $('results-body').querySelectorAll('.question-total').forEach((p) => (p.textContent = `Results are hidden ${why}.`));
  }
  for (const question of message.questions || []) {
    const block = $('results-body').querySelector(`[data-question-id="${question.question_id}"]`);
    if (!block) continue;
    const counts = question.choices.map((c) => c.count);
    // a question's total counts its voters; with several choices per voter the bars share it
    const total = question.total ?? counts.reduce((a, b) => a + b, 0);
    block.querySelector('.question-total').textContent = plural(total, 'voter', 'voters');
    for (const choice of question.choices) {
      const row = block.querySelector(`[data-choice-id="${choice.choice_id}"]`);
      if (!row) continue;
      const percent = total ? Math.round((choice.count / total) * 100) : 0;
      row.querySelector('.count').textContent = choice.count.toLocaleString();
      row.querySelector('.percent').textContent = `${percent}%`;
      row.querySelector('.bar-fill').style.width = `${percent}%`;
    }
  }
  if (message.closed) {
    current.poll.closed_at = current.poll.closed_at || new Date().toISOString();
    renderMeta(current.poll);
    $('vote-form').hidden = true;
    $('close-poll').hidden = true;
  }
  // at most one spoken summary every 5 seconds, and always the final one
  if (message.closed || Date.now() - lastAnnounced > 5000) {
    lastAnnounced = Date.now();
    $('results-announcer').textContent = `${message.closed ? 'Final results' : 'Results updated'}: ${$('total-votes').textContent}.`;
  }
}

function renderLiveStatus({ transport, state }) {
  const via = transport === 'sse' ? 'Server-Sent Events' : 'WebSocket';
  const text = {
    connecting: `Connecting (${via})…`,
    live: `Live over ${via}`,
    reconnecting: `Reconnecting (${via})…`,
    closed: 'Poll closed',
    'not-found': 'Live results unavailable: unknown poll',
    failed: 'Live results unavailable (the server refused the connection)',
  }[state];
  $('live-status').textContent = text;
  $('live-status').dataset.state = state;
  $('live-status').dataset.transport = transport || '';
}

async function onClose() {
  $('close-poll').disabled = true;
  try {
    current.poll = await closePoll(current.poll);
    renderMeta(current.poll);
    $('vote-form').hidden = true;
    $('close-poll').hidden = true;
  } catch (error) {
    setVoteStatus(`The poll could not be closed: ${error.message}`, 'bad');
  } finally {
    $('close-poll').disabled = false;
  }
}

async function onCopy() {
  const link = $('share-link');
  try {
    await navigator.clipboard.writeText(link.value);
    $('copy-status').textContent = 'Link copied.';
  } catch {
    // no clipboard (plain http on another host): select it for the user to copy
    link.select();
    $('copy-status').textContent = 'Select and copy the link above.';
  }
}

// ---- Identity panel ----------------------------------------------------------------------------

function renderIdentity() {
  const mode = identity.mode;
  for (const radio of document.querySelectorAll('input[name="identity-mode"]')) radio.checked = radio.value === mode;
  $('identity-header-fields').hidden = mode !== 'header';
  $('identity-jwt-fields').hidden = mode !== 'jwt';
  $('user-id').value = identity.userId;
  $('jwt-token').value = identity.token;
  const who = identity.currentUserId();
  $('identity-summary').textContent =
    mode === 'header' ? `user ${who.slice(0, 8)}… (X-User-Id)` : who ? `token for ${who.slice(0, 8)}…` : 'no token yet';
}

function onIdentityChange() {
  identity.mode = document.querySelector('input[name="identity-mode"]:checked')?.value;
  if (/^[0-9a-f-]{36}$/i.test($('user-id').value.trim())) identity.userId = $('user-id').value.trim();
  identity.token = $('jwt-token').value;
  renderIdentity();
  if (current) route(); // the ballot and the live feed depend on who we are
}

// ---- Start -------------------------------------------------------------------------------------

$('create-form').addEventListener('submit', onCreate);
$('add-question').addEventListener('click', () => addQuestion().querySelector('.question-text').focus());
$('vote-form').addEventListener('submit', onVote);
$('close-poll').addEventListener('click', onClose);
$('copy-link').addEventListener('click', onCopy);
$('new-poll').addEventListener('click', (event) => {
  event.preventDefault();
  go('./');
});
for (const input of document.querySelectorAll('input[name="identity-mode"]')) input.addEventListener('change', onIdentityChange);
$('user-id').addEventListener('change', onIdentityChange);
$('jwt-token').addEventListener('change', onIdentityChange);
$('new-user').addEventListener('click', () => {
  $('user-id').value = newUuid();
  onIdentityChange();
});
window.addEventListener('popstate', route);
window.addEventListener('hashchange', route);

renderIdentity();
route();
