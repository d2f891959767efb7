// The dashboard page's script: reads the KPI API on the same origin and draws the figures with
// DOM and SVG only. No library, no build step; served inline by local/dashboard/index.ts, whose
// configuration (labels, counter titles, targets, KPI path) it reads from #config.
(() => {
  'use strict';

  const config = JSON.parse(document.getElementById('config').textContent);
  const L = config.labels;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const COUNTER_TITLE = Object.fromEntries(config.counters.map((c) => [c.name, c.title]));

  // ── Formatting ──────────────────────────────────────────────────────────────────────────
  const numberFormat = new Intl.NumberFormat(L.locale, { maximumFractionDigits: 2 });
  const percentFormat = new Intl.NumberFormat(L.locale, { style: 'percent', maximumFractionDigits: 1 });
  const npsFormat = new Intl.NumberFormat(L.locale, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
  const pointsFormat = new Intl.NumberFormat(L.locale, { maximumFractionDigits: 1, signDisplay: 'exceptZero' });
  const dayFormat = new Intl.DateTimeFormat(L.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const longDayFormat = new Intl.DateTimeFormat(L.locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

  const missing = (value) => value === null || value === undefined || Number.isNaN(value);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  const count = (value) => (missing(value) ? L.noData : numberFormat.format(value));
  const percent = (value) => (missing(value) ? L.noData : percentFormat.format(value));
  const nps = (value) => (missing(value) ? L.noData : npsFormat.format(value));
  const durationFormat = (unit) => new Intl.NumberFormat(L.locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 });
  const [secondsFormat, minutesFormat, hoursFormat] = ['second', 'minute', 'hour'].map(durationFormat);
  const duration = (seconds) =>
    missing(seconds) ? L.noData : seconds < 60 ? secondsFormat.format(seconds) : seconds < 3600 ? minutesFormat.format(seconds / 60) : hoursFormat.format(seconds / 3600);
  const rate = (numerator, denominator) => (denominator > 0 ? numerator / denominator : null);
  const dayOf = (iso) => new Date(`${iso}T00:00:00Z`);
  const shortDay = (iso) => dayFormat.format(dayOf(iso));
  const longDay = (iso) => longDayFormat.format(dayOf(iso));

  // ── DOM helpers ─────────────────────────────────────────────────────────────────────────
  function build(node, attributes, children) {
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  const h = (tag, attributes, ...children) => build(document.createElement(tag), attributes, children);
  const s = (tag, attributes, ...children) => build(document.createElementNS(SVG_NS, tag), attributes, children);
  const byId = (id) => document.getElementById(id);
  const setText = (id, text) => (byId(id).textContent = text);
  /** replaceChildren without the nulls (which it would show as the text "null"). */
  const show = (container, ...children) => container.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));

  function table(caption, headers, rows) {
    return h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        null,
        caption ? h('caption', null, caption) : null,
        h('thead', null, h('tr', null, headers.map((header) => h('th', { scope: 'col' }, header)))),
        h('tbody', null, rows),
      ),
    );
  }

  /** A small bar for a 0–1 rate beside its number; decorative, the number says it. */
  function rateBar(value) {
    const width = 60;
    return s(
      'svg',
      { class: 'mini-bar', width, height: 10, viewBox: `0 0 ${width} 10`, 'aria-hidden': 'true', focusable: 'false' },
      s('rect', { class: 'bar-track', x: 0, y: 1, width, height: 8, rx: 2 }),
      missing(value) ? null : s('rect', { class: 'bar', x: 0, y: 1, width: Math.max(0, Math.min(1, value)) * width, height: 8, rx: 2 }),
    );
  }
  const rateCell = (value) => h('td', null, h('span', { class: 'rate-cell' }, rateBar(value), h('span', { class: 'rate-value' }, percent(value))));

  /** The width a chart can use in its container, so one SVG unit is one CSS pixel. */
  const widthOf = (container) => Math.max(320, Math.floor(container.clientWidth || 560));

  /**
   * Horizontal bars, one per item, label above its bar and value to the right. The SVG is an
   * image whose text alternative lists every value.
   */
  function barChart(container, items, alt) {
    const width = widthOf(container);
    const valueWidth = 210;
    const barWidth = width - valueWidth;
    const rowHeight = 46;
    const max = Math.max(1, ...items.map((item) => item.value ?? 0));
    const titleId = `${container.id}-alt`;
    const rows = items.map((item, i) => {
      const y = i * rowHeight;
      const value = item.value ?? 0;
      return s(
        'g',
        { 'data-item': item.key },
        s('text', { x: 0, y: y + 13 }, item.label),
        s('rect', { class: 'bar-track', x: 0, y: y + 19, width: barWidth, height: 18, rx: 3 }),
        value > 0 ? s('rect', { class: 'bar', x: 0, y: y + 19, width: Math.max(2, (value / max) * barWidth), height: 18, rx: 3 }) : null,
        s(
          'text',
          { x: barWidth + 10, y: y + 33 },
          s('tspan', { class: 'value', 'data-value': item.key }, count(item.value)),
          item.note ? s('tspan', { class: 'axis-label', dx: 8 }, item.note) : null,
        ),
      );
    });
    const height = items.length * rowHeight;
    show(container, 
      s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': titleId }, s('title', { id: titleId }, alt), rows),
    );
  }

  // ── Sections ────────────────────────────────────────────────────────────────────────────
  function renderHeadline(report) {
    const { totals, kpis } = report;
    const day7 = report.byMilestone?.day7 ?? {};
    const targets = config.targets;
    const cards = [
      {
        key: 'nps',
        label: L.nps,
        value: nps(kpis.nps),
        hint: fill(L.npsHint, { answers: count(totals.npsAnswers), target: npsFormat.format(targets.nps) }),
        onTarget: missing(kpis.nps) ? null : kpis.nps >= targets.nps,
      },
      {
        key: 'day7ResponseRate',
        label: L.day7ResponseRate,
        value: percent(kpis.day7ResponseRate),
        hint: fill(L.day7ResponseRateHint, {
          responders: count(day7.responders),
          delivered: count(day7.delivered),
          target: percent(targets.day7ResponseRate),
          alarm: percent(config.alarms.day7ResponseRateFloor),
        }),
        onTarget: missing(kpis.day7ResponseRate) ? null : kpis.day7ResponseRate >= targets.day7ResponseRate,
      },
      { key: 'deliveryRate', label: L.deliveryRate, value: percent(kpis.deliveryRate), hint: fill(L.deliveryRateHint, { delivered: count(totals.delivered), sent: count(totals.sent) }) },
      { key: 'readRate', label: L.readRate, value: percent(kpis.readRate), hint: fill(L.readRateHint, { read: count(totals.read), delivered: count(totals.delivered) }) },
      { key: 'optOutRate', label: L.optOutRate, value: percent(kpis.optOutRate), hint: fill(L.optOutRateHint, { optOuts: count(totals.optOuts) }) },
      { key: 'failureRate', label: L.failureRate, value: percent(kpis.failureRate), hint: fill(L.failureRateHint, { failed: count(totals.failed), sent: count(totals.sent) }) },
      {
        key: 'repurchaseRate',
        label: L.repurchaseRate,
        value: percent(kpis.repurchaseRate),
        hint: fill(L.repurchaseRateHint, {
          repurchasers: count(totals.cohortRepurchasers),
          journeys: count(totals.cohortMessaged),
          low: percent(targets.repurchaseRate.low),
          high: percent(targets.repurchaseRate.high),
        }),
        onTarget: missing(kpis.repurchaseRate) ? null : kpis.repurchaseRate >= targets.repurchaseRate.low,
      },
    ];
    cards.push(
      {
        key: 'reopenedRate',
        label: L.reopenedRate,
        value: percent(kpis.reopenedRate),
        hint: fill(L.reopenedRateHint, { reopened: count(totals.ticketsReopened), opened: count(totals.ticketsOpened), target: percent(targets.reopenedRate) }),
        onTarget: missing(kpis.reopenedRate) ? null : kpis.reopenedRate <= targets.reopenedRate,
      },
      {
        key: 'firstResponse',
        label: L.firstResponse,
        value: duration(kpis.firstResponseMeanSeconds),
        hint: fill(L.firstResponseHint, { p90: duration(kpis.firstResponseP90Seconds), responses: count(totals.firstResponses), target: duration(targets.firstResponseSeconds) }),
        onTarget: missing(kpis.firstResponseP90Seconds) ? null : kpis.firstResponseP90Seconds <= targets.firstResponseSeconds,
      },
    );
    const lift = kpis.repurchaseLift;
    if (lift) {
      const points = (value) => fill(L.percentagePoints, { value: pointsFormat.format(value * 100) });
      cards.push({
        key: 'repurchaseLift',
        label: L.repurchaseLift,
        value: points(lift.difference),
        hint: fill(L.repurchaseLiftHint, { confidence: percentFormat.format(lift.confidence), low: points(lift.low), high: points(lift.high) }),
      });
    }
    show(byId('headline'), 
      ...cards.map((card) =>
        h(
          'div',
          { class: 'card', 'data-kpi': card.key },
          h('dt', null, card.label),
          h('dd', { class: 'value' }, card.value),
          h('dd', { class: 'hint' }, card.hint),
          card.onTarget === undefined || card.onTarget === null
            ? null
            : h('dd', { class: `verdict ${card.onTarget ? 'good' : 'bad'}` }, card.onTarget ? `✓ ${L.onTarget}` : `✗ ${L.offTarget}`),
        ),
      ),
    );
  }

  function renderFunnel(report) {
    const { totals } = report;
    let previous = null;
    const items = Object.entries(L.funnelSteps).map(([key, label]) => {
      const value = totals[key] ?? 0;
      const note = previous === null ? '' : fill(L.ofPrevious, { rate: percent(rate(value, previous)) });
      previous = value;
      return { key, label, value, note };
    });
    const steps = items.map((item) => `${item.label} ${count(item.value)}${item.note ? ` (${item.note})` : ''}`).join(', ');
    barChart(byId('funnel'), items, fill(L.funnelAlt, { steps }));
  }

  function renderNpsTrend(report) {
    const container = byId('nps-trend');
    const days = report.byDay ?? [];
    const points = days.filter((d) => !missing(d.kpis.nps)).map((d) => ({ day: d.day, nps: d.kpis.nps, answers: d.totals.npsAnswers }));
    if (points.length === 0) {
      show(container, h('p', { class: 'empty' }, L.npsTrendEmpty));
      return;
    }
    const width = widthOf(container);
    const height = 220;
    const margin = { top: 12, right: 78, bottom: 28, left: 44 };
    const first = dayOf(days[0].day).getTime();
    const last = dayOf(days[days.length - 1].day).getTime();
    const span = Math.max(1, last - first);
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    const x = (iso) => margin.left + (last === first ? plotWidth / 2 : ((dayOf(iso).getTime() - first) / span) * plotWidth);
    const y = (value) => margin.top + ((100 - value) / 200) * plotHeight;

    const grid = [-100, -50, 0, 50, 100].map((value) =>
      s(
        'g',
        null,
        s('line', { class: value === 0 ? 'zero' : 'grid', x1: margin.left, x2: width - margin.right, y1: y(value), y2: y(value) }),
        s('text', { class: 'axis-label', x: margin.left - 6, y: y(value) + 4, 'text-anchor': 'end' }, npsFormat.format(value)),
      ),
    );
    const target = config.targets.nps;
    const targetLine = s(
      'g',
      null,
      s('line', { class: 'target', x1: margin.left, x2: width - margin.right, y1: y(target), y2: y(target) }),
      // In the right margin, clear of the points.
      s('text', { class: 'target-label', x: width - margin.right + 6, y: y(target) + 4 }, `${L.target} ${npsFormat.format(target)}`),
    );
    // Ticks evenly spaced in time, about one per 110 px, on whole days.
    const DAY = 86_400_000;
    const tickCount = last === first ? 1 : Math.max(2, Math.min(Math.floor(plotWidth / 110) + 1, Math.round(span / DAY) + 1));
    const tickDays = [
      ...new Set(
        Array.from({ length: tickCount }, (_, i) =>
          new Date(tickCount === 1 ? first : first + Math.round(((span / DAY) * i) / (tickCount - 1)) * DAY).toISOString().slice(0, 10),
        ),
      ),
    ];
    const ticks = tickDays.map((day, i, all) =>
      s(
        'text',
        { class: 'axis-label', x: x(day), y: height - 8, 'text-anchor': all.length === 1 ? 'middle' : i === 0 ? 'start' : i === all.length - 1 ? 'end' : 'middle' },
        shortDay(day),
      ),
    );
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.day).toFixed(1)},${y(p.nps).toFixed(1)}`).join(' ');
    const describe = (p) => `${longDay(p.day)}: ${nps(p.nps)} (${count(p.answers)} ${L.answers.toLowerCase()})`;
    const titleId = 'nps-trend-alt';
    const alt = fill(L.npsTrendAlt, { first: longDay(days[0].day), last: longDay(days[days.length - 1].day), points: points.map(describe).join('; ') });
    show(container, 
      s(
        'svg',
        { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': titleId },
        s('title', { id: titleId }, alt),
        grid,
        targetLine,
        ticks,
        points.length > 1 ? s('path', { class: 'line', d: path }) : null,
        points.map((p) => s('circle', { class: 'point', cx: x(p.day), cy: y(p.nps), r: 4.5 }, s('title', null, describe(p)))),
      ),
      h(
        'details',
        { class: 'data' },
        h('summary', null, L.showData),
        table(null, [L.day, L.answers, L.nps], points.map((p) => h('tr', null, h('th', { scope: 'row' }, longDay(p.day)), h('td', null, count(p.answers)), h('td', null, nps(p.nps))))),
      ),
    );
  }

  function renderTemplates(report) {
    // In journey order: each template's milestone, from the A/B breakdown, then by name.
    const milestoneOf = {};
    config.milestones.forEach((m, i) =>
      Object.values(report.byVariant?.[m]?.variants ?? {}).forEach((v) => (v.templates ?? []).forEach((t) => (milestoneOf[t] ??= i))),
    );
    const order = (t) => milestoneOf[t] ?? config.milestones.length;
    const entries = Object.entries(report.byTemplate ?? {}).sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
    const container = byId('templates');
    if (entries.length === 0) {
      show(container, h('p', { class: 'empty' }, L.templatesEmpty));
      return;
    }
    const headers = [L.template, L.funnelSteps.sent, L.funnelSteps.delivered, L.funnelSteps.read, L.funnelSteps.responders, L.deliveryRate, L.readRate, L.responseRate, L.optOutRate, L.failureRate];
    const rows = entries.map(([template, { totals, kpis }]) =>
      h(
        'tr',
        { 'data-template': template },
        h('th', { scope: 'row' }, h('code', null, template)),
        h('td', null, count(totals.sent)),
        h('td', null, count(totals.delivered)),
        h('td', null, count(totals.read)),
        h('td', null, count(totals.responders)),
        h('td', null, percent(kpis.deliveryRate)),
        h('td', null, percent(kpis.readRate)),
        rateCell(rate(totals.responders, totals.delivered)),
        h('td', null, percent(kpis.optOutRate)),
        h('td', null, percent(kpis.failureRate)),
      ),
    );
    show(container, h('p', { class: 'note' }, L.templatesCaption), table(null, headers, rows));
  }

  function renderAbTests(report) {
    const blocks = [];
    for (const milestone of config.milestones) {
      const test = report.byVariant?.[milestone];
      if (test !== undefined && Object.keys(test.variants).length > 0) {
        const caption = fill(L.abCaption, { milestone: L.milestones[milestone] ?? milestone, metric: L.abMetrics[test.metric] ?? test.metric });
        const probabilities = test.verdict.probabilityBest ?? {};
        const rows = Object.entries(test.variants).map(([variant, v]) =>
          h(
            'tr',
            { 'data-variant': variant },
            h('th', { scope: 'row' }, variant, ' ', h('code', null, (v.templates ?? []).join(', '))),
            h('td', null, count(v.trials)),
            h('td', null, count(v.successes)),
            rateCell(v.rate),
            h('td', null, percent(probabilities[variant])),
          ),
        );
        const verdict =
          test.verdict.decision === 'winner'
            ? h('p', { class: 'verdict good' }, `✓ ${fill(L.winner, { variant: test.verdict.winner })}`)
            : h('p', { class: 'verdict muted' }, `${L.keepMix}: ${test.verdict.reason}`);
        blocks.push(
          h(
            'div',
            { class: 'ab-test', 'data-milestone': milestone },
            table(caption, [L.variant, L.recipients, L.successes, L.rate, L.probabilityBest], rows),
            verdict,
          ),
        );
      }
    }
    show(byId('ab-tests'), ...(blocks.length > 0 ? blocks : [h('p', { class: 'empty' }, L.abTestsEmpty)]));
  }

  function renderFailures(report) {
    const { totals, kpis } = report;
    const items = config.failureBuckets.map(({ bucket, counter }) => ({
      key: counter,
      label: COUNTER_TITLE[counter] ?? counter,
      value: totals[counter] ?? 0,
      note: fill(L.ofSent, { rate: percent(kpis.failureRateByBucket?.[bucket]) }),
    }));
    const container = byId('failures');
    const chart = h('div', { id: 'failures-chart' });
    show(container, 
      (totals.failed ?? 0) === 0 ? h('p', { class: 'empty' }, L.failuresEmpty) : null,
      chart,
      h('p', { class: 'note', 'data-counter': 'excludedExperiment' }, `${COUNTER_TITLE.excludedExperiment}: ${count(totals.excludedExperiment)}`),
    );
    barChart(chart, items, fill(L.failuresAlt, { bars: items.map((i) => `${i.label} ${count(i.value)} (${i.note})`).join(', ') }));
  }

  /** Cost is not in every report: when it is, its figures are listed as they come. */
  function costRows(cost, prefix = '') {
    if (cost === null || typeof cost !== 'object') return [];
    return Object.entries(cost).flatMap(([name, value]) => {
      const label = prefix ? `${prefix} · ${name}` : name;
      if (value !== null && typeof value === 'object') return prefix ? [] : costRows(value, label);
      return [h('tr', null, h('th', { scope: 'row' }, label), h('td', null, typeof value === 'number' ? count(value) : String(value)))];
    });
  }

  function renderBilling(report) {
    const { totals } = report;
    const items = config.billableCounters.map((counter) => ({ key: counter, label: COUNTER_TITLE[counter] ?? counter, value: totals[counter] ?? 0 }));
    const container = byId('billing');
    const chart = h('div', { id: 'billing-chart' });
    const cost = costRows(report.cost);
    show(container, 
      items.every((i) => i.value === 0) ? h('p', { class: 'empty' }, L.billingEmpty) : null,
      chart,
      cost.length > 0 ? table(L.cost, [L.category, L.cost], cost) : null,
    );
    barChart(chart, items, fill(L.billingAlt, { bars: items.map((i) => `${i.label} ${count(i.value)}`).join(', ') }));
  }

  function renderCounters(report) {
    const headers = [L.counter, L.total, ...config.milestones.map((m) => L.milestones[m] ?? m)];
    const rows = config.counters.map(({ name, title }) =>
      h(
        'tr',
        null,
        h('th', { scope: 'row' }, title),
        h('td', { 'data-counter': name }, count(report.totals[name])),
        config.milestones.map((m) => h('td', { 'data-counter': name, 'data-milestone': m }, count(report.byMilestone?.[m]?.[name]))),
      ),
    );
    show(byId('counters'), table(null, headers, rows));
  }

  function render(report) {
    setText('period', report.from || report.to ? fill(L.period, { from: report.from ? longDay(report.from) : L.periodStart, to: report.to ? longDay(report.to) : L.periodEnd }) : L.allTime);
    renderHeadline(report);
    renderFunnel(report);
    renderNpsTrend(report);
    renderTemplates(report);
    renderAbTests(report);
    renderFailures(report);
    renderBilling(report);
    renderCounters(report);
  }

  // ── Static text and filters ─────────────────────────────────────────────────────────────
  const form = byId('filters');
  const fields = { from: byId('from'), to: byId('to'), milestone: byId('milestone') };
  const statusLine = byId('status');
  const pauseButton = byId('pause');
  const errorBox = byId('error');
  const main = byId('main');

  setText('heading', L.heading);
  setText('subheading', fill(L.subheading, { kpiPath: config.kpiPath, seconds: numberFormat.format(config.refreshMs / 1000) }));
  setText('filters-legend', L.filters);
  setText('label-from', L.from);
  setText('label-to', L.to);
  setText('label-milestone', L.milestone);
  setText('apply', L.apply);
  setText('reset', L.reset);
  setText('refresh-now', L.refreshNow);
  setText('pause', L.pause);
  setText('headline-heading', L.headline);
  setText('funnel-heading', L.funnel);
  setText('funnel-caption', L.funnelCaption);
  setText('nps-heading', L.npsTrend);
  setText('templates-heading', L.templates);
  setText('ab-heading', L.abTests);
  setText('failures-heading', L.failures);
  setText('billing-heading', L.billing);
  setText('counters-heading', L.counters);
  statusLine.textContent = L.loading;
  fields.milestone.replaceChildren(h('option', { value: '' }, L.allMilestones), ...config.milestones.map((m) => h('option', { value: m }, L.milestones[m] ?? m)));

  const initial = new URLSearchParams(location.search);
  for (const [name, field] of Object.entries(fields)) field.value = initial.get(name) ?? '';

  function query() {
    const params = new URLSearchParams();
    for (const [name, field] of Object.entries(fields)) if (field.value) params.set(name, field.value);
    return params.toString();
  }

  // ── Refresh loop ────────────────────────────────────────────────────────────────────────
  let timer;
  let inFlight;
  let paused = false;
  let lastReport;

  function schedule() {
    clearTimeout(timer);
    if (!paused) timer = setTimeout(refresh, config.refreshMs);
  }

  function showError(message) {
    errorBox.hidden = message === null;
    errorBox.textContent = message ?? '';
  }

  async function refresh() {
    clearTimeout(timer);
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const timeout = setTimeout(() => controller.abort(new Error('timed out')), 10_000);
    try {
      const search = query();
      const response = await fetch(`${config.kpiPath}${search ? `?${search}` : ''}`, { signal: controller.signal, cache: 'no-store', headers: { accept: 'application/json' } });
      const body = await response.json().catch(() => null);
      if (!response.ok) throw new Error(body?.message ?? `HTTP ${response.status}`);
      if (inFlight !== controller) return;
      lastReport = body;
      render(body);
      showError(null);
      statusLine.textContent = paused ? L.paused : fill(L.updatedAt, { time: new Date().toLocaleTimeString(L.locale) });
    } catch (error) {
      if (inFlight !== controller) return;
      const reason = controller.signal.aborted ? String(controller.signal.reason?.message ?? controller.signal.reason) : error.message;
      showError(fill(L.loadFailed, { reason }));
    } finally {
      clearTimeout(timeout);
      if (inFlight === controller) {
        inFlight = undefined;
        main.setAttribute('aria-busy', 'false');
        schedule();
      }
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const search = query();
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
    void refresh();
  });
  byId('reset').addEventListener('click', () => {
    for (const field of Object.values(fields)) field.value = '';
    form.requestSubmit();
  });
  byId('refresh-now').addEventListener('click', () => void refresh());
  pauseButton.addEventListener('click', () => {
    paused = !paused;
    pauseButton.textContent = paused ? L.resume : L.pause;
    statusLine.textContent = paused ? L.paused : L.loading;
    if (paused) clearTimeout(timer);
    else void refresh();
  });

  // Charts are drawn at their container's width; draw again when it changes.
  let resizeTimer;
  addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => lastReport && render(lastReport), 150);
  });

  void refresh();
})();
