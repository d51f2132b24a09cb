// Writes the sample activity log examples/data/activity.csv and the per-group
// facts examples/data/groups.json for the health module, from the sample
// network examples/data/network.json (run network.mjs first).
//
// Every active chapter gets a profile, and its activity is drawn so that the
// scorer (with the network's own calibration, as the tour runs it) puts it in
// that status: thriving, steady, at risk, dormant, or new (founded less than
// 90 days before "now"). A few groups carry a story: a summer pause, staff
// activity that must not count, a day-of-action attendance spike, a group
// held in "thriving" by hysteresis, groups that moved since the last run.
// core/tests/health_sample.rs checks that every group lands where it was
// generated for; `node activity.mjs --expected` prints that list.
//
// Deterministic: fixed seeds (lib.mjs), no clock; "now" is lib.NOW
// (2026-11-01T00:00:00Z). No dependencies beyond node.
//
// Usage: node activity.mjs [--expected]

import { NOW, NOW_MS, DAY_MS, makeRng, iso, readData, writeData } from "./lib.mjs";

function fail(msg) {
  console.error(`activity.mjs: ${msg}`);
  process.exit(1);
}

let net;
try {
  net = readData("network.json");
} catch (e) {
  fail(`cannot read examples/data/network.json (run network.mjs first): ${e.message}`);
}

// ------------------------------------------------------------ the network

const STAFF_ROLES = new Set(["staff", "admin", "data_officer", "regional_coordinator"]);
const LEADER_ROLES = new Set(["chapter_leader", "co_leader"]);
const MEMBER_ROLES = new Set(["member", "host", "supporter"]);

const validNow = (g) =>
  Date.parse(g.valid_from) <= NOW_MS && (!g.valid_until || NOW_MS < Date.parse(g.valid_until));

const grants = net.grants.filter(validNow);
const staff = [...new Set(grants.filter((g) => STAFF_ROLES.has(g.role)).map((g) => g.person))].sort();
const byChapter = (roles) => {
  const m = new Map();
  for (const g of grants) {
    if (!roles.has(g.role) || !g.scope || !g.scope.node) continue;
    if (!m.has(g.scope.node)) m.set(g.scope.node, new Set());
    m.get(g.scope.node).add(g.person);
  }
  return m;
};
const leadersOf = byChapter(LEADER_ROLES);
const membersOf = byChapter(MEMBER_ROLES);

const chapters = net.nodes
  .filter((n) => n.kind === "chapter" && n.status === "active")
  .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
if (chapters.length < 20) fail(`only ${chapters.length} active chapters`);

// -------------------------------------------------------------- profiles
//
// Rates are per 30 days. `lead` is each leader's action rate (the first
// leader is the most active); `quiet` says how long ago each kind last
// happened at the latest, for the declining profiles.

const PROFILES = {
  thriving: {
    events: 4.5, attendance: [18, 45], lead: [7, 5, 4], posts: 45, authors: 14,
    joins: 7, petitions: 1.2, reports: 2.5, wins: 0.4,
  },
  steady: {
    events: 1.6, attendance: [8, 22], lead: [3.5, 0.6], posts: 12, authors: 5,
    joins: 2, petitions: 0.3, reports: 0.6, wins: 0.05,
  },
  holding: {
    events: 3.8, attendance: [15, 35], lead: [6, 4], posts: 30, authors: 10,
    joins: 5, petitions: 1.0, reports: 1.8, wins: 0.2,
  },
  at_risk: {
    events: 0.25, attendance: [4, 10], lead: [0.5], posts: 2, authors: 2,
    joins: 0.3, petitions: 0.05, reports: 0.05, wins: 0,
    quiet: { leader: [24, 45], event: [48, 80] },
  },
  dormant: {
    events: 0.3, attendance: [3, 8], lead: [0.4], posts: 1, authors: 2,
    joins: 0.25, petitions: 0, reports: 0, wins: 0,
    quiet: { leader: [75, 160], event: [110, 220], post: [20, 60] },
  },
  new: {
    events: 1.5, attendance: [6, 16], lead: [8, 3], posts: 15, authors: 5,
    joins: 4, petitions: 0.2, reports: 0.3, wins: 0,
  },
};

const HISTORY_DAYS = 400;
const rngAssign = makeRng("activity/assign");

// New groups first; the rest shuffled and dealt out by share. A thriving
// group has at least two leaders (one leader alone cannot carry leadership).
const young = chapters.filter((c) => NOW_MS - Date.parse(c.created) < 90 * DAY_MS);
const shuffled = rngAssign.shuffle(chapters.filter((c) => !young.includes(c)));
const leaderCount = (c) => (leadersOf.get(c.id) || new Set()).size;
const older = [
  ...shuffled.filter((c) => leaderCount(c) >= 2),
  ...shuffled.filter((c) => leaderCount(c) < 2),
];
const shares = [["thriving", 0.3], ["steady", 0.35], ["at_risk", 0.2], ["dormant", 0.15]];
const profileOf = new Map(young.map((c) => [c.id, "new"]));
{
  let i = 0;
  for (const [name, share] of shares) {
    const n = name === "dormant" ? older.length - i : Math.round(share * older.length);
    for (const c of older.slice(i, i + n)) profileOf.set(c.id, name);
    i += n;
  }
}

// Stories. Each is a chapter picked (deterministically) from a profile.
const firstOf = (profile, skip = 0) =>
  older.filter((c) => profileOf.get(c.id) === profile)[skip]?.id;
const story = {
  paused: firstOf("steady", 0), // summer break: ages stop, status holds
  holding: firstOf("thriving", 0), // dipped below 70, held by hysteresis
  spike: firstOf("thriving", 1), // a 1,800-person day of action, capped
  staffProp: firstOf("dormant", 0), // staff posts and "leader actions": not counted
  slipped: firstOf("at_risk", 0), // was steady last run
  slipped2: firstOf("at_risk", 1), // was steady last run
  lapsed: firstOf("dormant", 1), // was at risk last run
  recovered: firstOf("steady", 1), // was at risk last run
  rising: firstOf("thriving", 2), // was steady last run
};
for (const [k, v] of Object.entries(story)) if (!v) fail(`no chapter for the ${k} story`);
profileOf.set(story.holding, "holding");

const PAUSE = { from: "2026-06-15T00:00:00Z", until: "2026-09-01T00:00:00Z" };

// ---------------------------------------------------------- the activity

const rows = []; // [timeMs, group, kind, value, actor]
const facts = [];
const expected = [];

function poisson(rng, perMonth, fromMs, toMs, each) {
  if (perMonth <= 0) return;
  const meanGap = (30 * DAY_MS) / perMonth;
  let t = fromMs + -Math.log(1 - rng.next()) * meanGap;
  while (t < toMs) {
    each(Math.floor(t / 60000) * 60000);
    t += -Math.log(1 - rng.next()) * meanGap;
  }
}

for (const c of chapters) {
  const name = profileOf.get(c.id);
  const p = PROFILES[name];
  const rng = makeRng(`activity/${c.id}`);
  const created = Date.parse(c.created);
  const start = Math.max(created, NOW_MS - HISTORY_DAYS * DAY_MS);
  const paused = c.id === story.paused;
  const inPause = (t) => paused && t >= Date.parse(PAUSE.from) && t < Date.parse(PAUSE.until);
  const add = (t, kind, value, actor) => {
    if (t < start || t >= NOW_MS || inPause(t)) return;
    rows.push([t, c.id, kind, value, actor]);
  };
  // The end of each kind's activity: the declining profiles went quiet.
  const q = p.quiet || {};
  const quietEnd = (k) => (q[k] ? NOW_MS - rng.int(q[k][0], q[k][1]) * DAY_MS : NOW_MS);
  const leaderEnd = quietEnd("leader");
  const eventEnd = quietEnd("event");
  const postEnd = quietEnd("post");
  // Before the decline, declining groups ran like steady ones.
  const before = q.leader ? PROFILES.steady : p;
  const declineAt = NOW_MS - 120 * DAY_MS;

  const leaders = [...(leadersOf.get(c.id) || [])].sort();
  const members = [...(membersOf.get(c.id) || [])].sort();
  const supporters = Array.from({ length: 24 }, (_, i) => `${c.id}-v${String(i + 1).padStart(2, "0")}`);
  const authors = [...members, ...supporters].slice(0, Math.max(p.authors, 2) + 6);
  const phase = (from, to, prof, lastLeader, lastEvent, lastPost) => {
    const lf = Math.min(to, lastLeader);
    leaders.forEach((who, i) => {
      const rate = prof.lead[Math.min(i, prof.lead.length - 1)] * (i < prof.lead.length ? 1 : 0.3);
      poisson(rng, rate, from, lf, (t) => add(t, "leader_action", "", who));
    });
    poisson(rng, prof.events, from, Math.min(to, lastEvent), (t) => {
      const [lo, hi] = prof.attendance;
      add(t, "event_held", String(rng.int(lo, hi)), leaders[0] || "");
    });
    const pool = authors.slice(0, Math.max(prof.authors, 1));
    poisson(rng, prof.posts, from, Math.min(to, lastPost), (t) => add(t, "post", "", rng.pick(pool)));
    poisson(rng, prof.joins, from, to, (t) => add(t, "member_joined", String(rng.int(1, 3)), ""));
    poisson(rng, prof.joins * 0.25, from, to, (t) => add(t, "member_left", "1", ""));
    poisson(rng, prof.petitions, from, to, (t) => add(t, "petition_started", "", leaders[0] || ""));
    poisson(rng, prof.reports, from, to, (t) => add(t, "action_reported", "", rng.pick(pool)));
    poisson(rng, prof.wins, from, to, (t) => add(t, "win", "", ""));
  };
  if (q.leader) {
    phase(start, declineAt, before, NOW_MS, NOW_MS, NOW_MS);
    phase(Math.max(start, declineAt), NOW_MS, p, leaderEnd, eventEnd, postEnd);
    // The last leader action and event, exactly when the decline says.
    if (leaders.length) add(leaderEnd, "leader_action", "", leaders[0]);
    add(eventEnd, "event_held", String(rng.int(p.attendance[0], p.attendance[1])), leaders[0] || "");
  } else {
    phase(start, NOW_MS, p, NOW_MS, NOW_MS, NOW_MS);
  }
  if (c.id === story.spike) {
    add(NOW_MS - 9 * DAY_MS + 14 * 3600000, "event_held", "1800", leaders[0] || "");
  }
  if (c.id === story.staffProp) {
    // Staff check in and post: excluded, so the group stays dormant.
    for (const d of [3, 11, 25]) {
      add(NOW_MS - d * DAY_MS + 10 * 3600000, "leader_action", "", staff[0]);
      add(NOW_MS - d * DAY_MS + 11 * 3600000, "post", "", staff[1] || staff[0]);
    }
  }

  let status = name === "holding" ? "thriving" : name;
  let previous = name === "new" ? undefined : status;
  if (c.id === story.slipped || c.id === story.slipped2) previous = "steady";
  if (c.id === story.lapsed) previous = "at_risk";
  if (c.id === story.recovered) previous = "at_risk";
  if (c.id === story.rising) previous = "steady";
  expected.push([c.id, status]);
  facts.push({
    group: c.id,
    created: c.created,
    cohort: c.cohort,
    leaders,
    pauses: paused ? [PAUSE] : undefined,
    previous_status: previous,
  });
}

// --------------------------------------------------------------- output

if (process.argv.includes("--expected")) {
  const name = { thriving: "Thriving", steady: "Steady", at_risk: "AtRisk", dormant: "Dormant", new: "New" };
  console.log("const EXPECTED: &[(&str, Status)] = &[");
  for (const [id, s] of expected) console.log(`    ("${id}", Status::${name[s]}),`);
  console.log("];");
  process.exit(0);
}

rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0) || (a[4] < b[4] ? -1 : a[4] > b[4] ? 1 : 0));
const csv =
  "group,time,kind,value,actor\n" +
  rows.map(([t, g, k, v, a]) => `${g},${iso(t)},${k},${v},${a}`).join("\n") +
  "\n";
const groupsJson = JSON.stringify({ staff, groups: facts }, null, 2) + "\n";
const csvBytes = writeData("activity.csv", csv);
const jsonBytes = writeData("groups.json", groupsJson);
const counts = {};
for (const [, s] of expected) counts[s] = (counts[s] || 0) + 1;
console.error(
  `activity.mjs: ${rows.length} rows (${csvBytes} bytes) for ${chapters.length} groups as of ${NOW}; ` +
    `groups.json ${jsonBytes} bytes; ${JSON.stringify(counts)}; stories ${JSON.stringify(story)}`,
);
