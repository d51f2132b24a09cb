// Generates the sample triage queue for the Clean Water Alliance network:
//   examples/data/requests.json  (chapters with cohort and health, open requests)
//   examples/data/staff.json     (central staff with minutes, cohorts, mentoring time)
// in the formats `chapterhouse::triage` reads (`TriageInput::from_json`,
// `StaffRoster::from_json`). Deterministic: fixed seeds, no clock, no deps.
//
// The day is 2026-11-01 09:00 UTC. The queue tells one story a reviewer
// should recognise: a day of action tomorrow has a dozen chapters asking for
// event approvals at once (a scope blow-up), two tier-1 rapid responses, one
// safety report, one chapter flooding the queue with small asks, an old
// request that has waited for weeks, a campaign review too big for one
// person's day, a long review due tomorrow morning, and the ordinary flow of menu actions and leader
// applications. Run: node scripts/sample/requests.mjs

import {
  DAY_MS,
  linesJson,
  makeRng,
  readData,
  recordJson,
  writeData,
  iso,
  ms,
} from "./lib.mjs";

/** The triage sample's "now" (the daily review starts at 09:00 UTC). */
const NOW = "2026-11-01T09:00:00Z";
const NOW_MS = ms(NOW);
const HOUR_MS = 3_600_000;

const net = readData("network.json");
const chapters = net.nodes
  .filter((n) => n.kind === "chapter" && n.status === "active")
  .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
if (chapters.length < 30) throw new Error(`expected at least 30 active chapters, found ${chapters.length}`);

// ---- chapters: cohort from the network, health as a plain input ----------
const healthRng = makeRng("triage-health");
const chapterRecords = chapters.map((c) => {
  const young = NOW_MS - ms(c.created) < 90 * DAY_MS;
  const health = young
    ? "new"
    : healthRng.pickWeighted([
        ["thriving", 25],
        ["steady", 45],
        ["at_risk", 20],
        ["dormant", 10],
      ]);
  return { id: c.id, cohort: c.cohort ?? undefined, health };
});

// ---- staff: people with a staff grant ----------------------------------------
const staffIds = [...new Set(net.grants.filter((g) => g.role === "staff").map((g) => g.person))].sort();
const people = new Map(net.people.map((p) => [p.id, p]));
const cohorts = [...new Set(chapters.map((c) => c.cohort).filter(Boolean))].sort();
const staffRng = makeRng("triage-staff");
const staff = staffIds.map((id, i) => {
  // Each cohort has two staff; the last staff member is a generalist.
  const mine =
    i === staffIds.length - 1
      ? []
      : cohorts.filter((_, k) => k % (staffIds.length - 1) === i || (k + 2) % (staffIds.length - 1) === i);
  return {
    id,
    name: people.get(id)?.name,
    minutes: 300 + 15 * staffRng.int(0, 8),
    cohorts: mine.length ? mine : undefined,
    mentoring_minutes: 480,
  };
});

// ---- requests ----------------------------------------------------------------
const rng = makeRng("triage-requests");
const requests = [];
const at = (hoursAgo) => NOW_MS - Math.round(hoursAgo * 60) * 60000;
function add(r) {
  requests.push(r);
}
const pool = rng.shuffle(chapters.map((c) => c.id));
let next = 0;
const take = () => pool[next++ % pool.length];

// Two tier-1 rapid responses.
add({
  kind: "support_request",
  chapter: take(),
  tier: 1,
  created: at(2),
  due: NOW_MS + 6 * HOUR_MS,
  minutes: 60,
  reach: 1200,
  title: "Boil-water notice: press call and statement",
});
add({
  kind: "event_approval",
  chapter: take(),
  tier: 1,
  created: at(20),
  due: NOW_MS + 30 * HOUR_MS,
  minutes: 90,
  title: "Emergency council hearing: testimony and turnout",
});

// One safety report: escalate now.
add({
  kind: "support_request",
  chapter: take(),
  tier: 2,
  created: at(3),
  due: NOW_MS + 6 * DAY_MS,
  minutes: 45,
  safety_legal: true,
  title: "Threat of counter-protest reported for Saturday rally",
});

// Tomorrow's day of action: a dozen event approvals due at 08:00.
const doaDue = ms("2026-11-02T08:00:00Z");
for (let i = 0; i < 12; i++) {
  add({
    kind: "event_approval",
    chapter: take(),
    tier: 2,
    created: at(rng.int(6, 60)),
    due: doaDue,
    minutes: 55 + 5 * rng.int(0, 7),
    day_of_action: true,
    reach: 50 * rng.int(2, 16),
    title: "Day of Action: riverside clean-up and rally",
  });
}

// One chapter floods the queue with small asks.
const flooder = take();
const asks = [
  "Flyer review",
  "Social post approval",
  "Venue question",
  "Petition wording check",
  "Sign-up sheet template",
  "Banner design review",
  "Press list request",
  "Volunteer call script review",
  "Local partner intro",
  "Meeting agenda review",
  "Photo consent question",
  "Newsletter blurb approval",
  "Stall booking question",
  "Second flyer review",
];
for (const title of asks) {
  const due = rng.chance(0.4) ? at(-24 * rng.int(2, 9)) : undefined;
  add({
    kind: rng.chance(0.7) ? "support_request" : "event_approval",
    chapter: flooder,
    tier: 3,
    created: at(rng.int(4, 200)),
    due,
    minutes: 15 + 5 * rng.int(0, 7),
    title,
  });
}

// Requests that have waited for weeks (aging promotes them).
add({
  kind: "support_request",
  chapter: take(),
  tier: 3,
  created: at(24 * 19 + 5),
  minutes: 40,
  title: "Help finding a new meeting space",
});
add({
  kind: "leader_application",
  chapter: take(),
  tier: 3,
  created: at(24 * 15 + 2),
  minutes: 30,
  title: "Co-leader application",
});

// A campaign review too big for any one person's day.
add({
  kind: "campaign_review",
  chapter: take(),
  tier: 2,
  created: at(24 * 4),
  due: NOW_MS + 19 * DAY_MS,
  minutes: 420,
  title: "Statewide ballot initiative plan",
});

// A long review whose deadline is tomorrow morning: when nobody has its
// minutes left whole, it is started with what is left.
add({
  kind: "campaign_review",
  chapter: take(),
  tier: 3,
  created: at(30),
  due: NOW_MS + 20 * HOUR_MS,
  minutes: 150,
  title: "Petition hand-over plan for the state capitol",
});

// The ordinary flow: menu actions, campaign events, leader applications.
const menu = [
  ["event_approval", 3, "Film screening"],
  ["event_approval", 3, "Creek walk"],
  ["event_approval", 2, "Town hall on lead pipes"],
  ["event_approval", 2, "Campaign canvass weekend"],
  ["campaign_review", 2, "Local water-rate campaign"],
  ["leader_application", 3, "Chapter leader application"],
  ["leader_application", 3, "Co-leader application"],
  ["support_request", 3, "Help with first meeting"],
  ["support_request", 3, "Data access question"],
  ["support_request", 2, "Coalition partner dispute"],
];
for (let i = 0; i < 26; i++) {
  const [kind, tier, title] = rng.pick(menu);
  const created = at(rng.int(1, 24 * 12));
  const due = rng.chance(0.6) ? Math.max(created + DAY_MS, NOW_MS + HOUR_MS * rng.int(-30, 24 * 14)) : undefined;
  add({
    kind,
    chapter: take(),
    tier,
    created,
    due,
    minutes: kind === "campaign_review" ? 60 + 15 * rng.int(0, 4) : 20 + 5 * rng.int(0, 14),
    reach: rng.chance(0.3) ? 25 * rng.int(2, 30) : undefined,
    title,
  });
}

// Ids in order of arrival, as a CRM would number them.
requests.sort((a, b) => a.created - b.created || (a.title < b.title ? -1 : 1));
const requestRecords = requests.map((r, i) =>
  recordJson({
    id: `req-${1001 + i}`,
    kind: r.kind,
    chapter: r.chapter,
    tier: r.tier,
    created: iso(r.created),
    due: r.due === undefined ? undefined : iso(r.due),
    minutes: r.minutes,
    safety_legal: r.safety_legal || undefined,
    day_of_action: r.day_of_action || undefined,
    reach: r.reach || undefined,
    title: r.title,
  }),
);

const requestsJson =
  "{\n" +
  `"as_of": ${JSON.stringify(NOW)},\n` +
  `"chapters": ${linesJson(chapterRecords.map((c) => recordJson(c)))},\n` +
  `"requests": ${linesJson(requestRecords)}\n` +
  "}\n";
const staffJson = `{\n"staff": ${linesJson(staff.map((s) => recordJson(s)))}\n}\n`;

const a = writeData("requests.json", requestsJson);
const b = writeData("staff.json", staffJson);
console.log(
  `requests.json: ${requests.length} requests from ${new Set(requests.map((r) => r.chapter)).size} chapters (${a} bytes); ` +
    `staff.json: ${staff.length} staff (${b} bytes); flooding chapter ${flooder}`,
);
