// Writes the sample network examples/data/network.json (a `chapterhouse/1`
// snapshot) and examples/data/places.json (named sample points for lookups).
//
// The "Clean Water Alliance" (id `cwa`) is fictional; the shapes of its local
// chapters are real US counties copied from examples/data/us-counties.geojson
// (run counties.mjs first). Deterministic: fixed seeds (lib.mjs), no clock;
// "now" is lib.NOW (2026-11-01T00:00:00Z).
//
// The file is written in the canonical layout of `Network::to_json` (see
// core/src/snapshot.rs): one top-level member per line, one node, person or
// grant per line, node members in the order of `NodeRecord`, and the parts the
// library keeps as plain JSON (territory geometry, people, grants) with their
// object keys sorted, as serde_json writes a `Value`. core/tests/sample.rs
// proves it: loading the file and saving it gives the same bytes. If the
// access module starts writing people or grants differently, change
// `personJson` / `grantJson` below to match and regenerate.
//
// Usage: node network.mjs

import {
  NOW, NOW_MS, DAY_MS, makeRng, iso, round6, readData, writeData, valueJson, recordJson,
  linesJson,
} from "./lib.mjs";

const FORMAT = "chapterhouse/1";
const ORG = "cwa";

function fail(msg) {
  console.error(`network.mjs: ${msg}`);
  process.exit(1);
}

// ---------------------------------------------------------------- counties

let counties;
try {
  counties = new Map(readData("us-counties.geojson").features.map((f) => [f.id, f]));
} catch (e) {
  fail(`cannot read examples/data/us-counties.geojson (run counties.mjs first): ${e.message}`);
}

function county(fips) {
  const f = counties.get(fips);
  if (!f || !f.geometry) fail(`county ${fips} missing or without geometry`);
  return f;
}

// ------------------------------------------------------------- the regions

const ORG_CREATED = "2022-09-01T00:00:00Z";

// [id, parent, name, created]
const REGIONS = [
  ["northeast", ORG, "Northeast", "2023-01-09T15:00:00Z"],
  ["new-england", "northeast", "New England", "2023-01-16T15:00:00Z"],
  ["south", ORG, "South", "2023-02-06T15:00:00Z"],
  ["west", ORG, "West", "2023-02-13T15:00:00Z"],
  ["pacific", "west", "Pacific & Alaska", "2023-03-06T16:00:00Z"],
];

// ----------------------------------------------------------- the chapters

// Local chapters on real counties: [slug, name, fips, region].
// Adjacent groups on purpose: Suffolk–Middlesex–Norfolk MA (Boston), the New
// York City boroughs. Albemarle VA has holes (Charlottesville is not a
// chapter: a point there is in no territory). San Francisco, Los Angeles,
// Honolulu and Aleutians West (across the antimeridian) are MultiPolygons.
const COUNTY_LOCALS = [
  ["boston", "Boston", "25025", "new-england"],
  ["middlesex", "Middlesex County", "25017", "new-england"],
  ["norfolk", "Norfolk County", "25021", "new-england"],
  ["north-shore", "North Shore", "25009", "new-england"],
  ["providence", "Providence", "44007", "new-england"],
  ["hartford", "Hartford", "09003", "new-england"],
  ["portland-me", "Portland (Maine)", "23005", "new-england"],
  ["burlington-vt", "Burlington", "50007", "new-england"],
  ["manchester-nh", "Manchester", "33011", "new-england"],
  ["springfield-ma", "Springfield", "25013", "new-england"],
  ["manhattan", "Manhattan", "36061", "northeast"],
  ["brooklyn", "Brooklyn", "36047", "northeast"],
  ["queens", "Queens", "36081", "northeast"],
  ["bronx", "The Bronx", "36005", "northeast"],
  ["buffalo", "Buffalo", "36029", "northeast"],
  ["philadelphia", "Philadelphia", "42101", "northeast"],
  ["pittsburgh", "Pittsburgh", "42003", "northeast"],
  ["newark", "Newark", "34013", "northeast"],
  ["baltimore", "Baltimore", "24510", "northeast"],
  ["dc", "Washington, DC", "11001", "northeast"],
  ["albemarle", "Albemarle County", "51003", "south"],
  ["atlanta", "Atlanta", "13121", "south"],
  ["new-orleans", "New Orleans", "22071", "south"],
  ["houston", "Houston", "48201", "south"],
  ["austin", "Austin", "48453", "south"],
  ["charlotte", "Charlotte", "37119", "south"],
  ["louisville", "Louisville", "21111", "south"],
  ["memphis", "Memphis", "47157", "south"],
  ["miami", "Miami", "12086", "south"],
  ["charleston", "Charleston", "45019", "south"],
  ["denver", "Denver", "08031", "west"],
  ["phoenix", "Phoenix", "04013", "west"],
  ["salt-lake", "Salt Lake", "49035", "west"],
  ["san-francisco", "San Francisco", "06075", "west"],
  ["oakland", "Oakland & East Bay", "06001", "west"],
  ["los-angeles", "Los Angeles", "06037", "west"],
  ["albuquerque", "Albuquerque", "35001", "west"],
  ["las-vegas", "Las Vegas", "32003", "west"],
  ["seattle", "Seattle", "53033", "pacific"],
  ["portland-or", "Portland (Oregon)", "41051", "pacific"],
  ["honolulu", "Honolulu", "15003", "pacific"],
  ["aleutians", "Aleutian Islands", "02016", "pacific"],
  ["anchorage", "Anchorage", "02020", "pacific"],
  ["fairbanks", "Fairbanks", "02090", "pacific"],
  ["juneau", "Juneau", "02110", "pacific"],
];

// Local chapters with a service circle: [slug, name, lon, lat, radius_m, region].
// Cambridge lies inside the Middlesex County chapter on purpose (overlap:
// the smaller territory is the more specific answer).
const RADIUS_LOCALS = [
  ["cambridge", "Cambridge", -71.1097, 42.3736, 2500, "new-england"],
  ["asheville", "Asheville", -82.5515, 35.5951, 15000, "south"],
  ["savannah", "Savannah", -81.0998, 32.0809, 12000, "south"],
  ["tucson", "Tucson", -110.9747, 32.2226, 20000, "west"],
  ["boise", "Boise", -116.2023, 43.615, 15000, "west"],
  ["spokane", "Spokane", -117.426, 47.6588, 15000, "pacific"],
];

// Local chapters that applied without a territory yet: [slug, name, region].
const BARE_LOCALS = [
  ["knoxville", "Knoxville", "south"],
  ["eugene", "Eugene", "pacific"],
];

// Issue groups (no territory): [slug, name, parent, tags].
const ISSUE_GROUPS = [
  ["lead-free-schools", "Lead-Free Schools", ORG, ["lead-pipes", "schools"]],
  ["lead-service-lines-ne", "Lead Service Lines Northeast", "northeast", ["lead-pipes"]],
  ["lead-pipes-south", "Get the Lead Out South", "south", ["lead-pipes", "environmental-justice"]],
  ["tap-water-testers", "Tap Water Testers", ORG, ["water-quality", "citizen-science"]],
  ["pfas-free-new-england", "PFAS-Free New England", "new-england", ["water-quality", "pfas"]],
  ["pfas-action-west", "PFAS Action West", "west", ["water-quality", "pfas"]],
  ["rivers-of-the-northeast", "Rivers of the Northeast", "northeast", ["rivers"]],
  ["mississippi-river-keepers", "Mississippi River Keepers", "south", ["rivers", "water-quality"]],
  ["colorado-river-compact", "Colorado River Compact Watch", "west", ["rivers", "drought"]],
  ["salmon-rivers", "Salmon Rivers Coalition", "pacific", ["rivers", "wildlife"]],
  ["stormwater-solutions", "Stormwater Solutions", ORG, ["stormwater"]],
  ["green-infrastructure-nyc", "Green Infrastructure NYC", "northeast", ["stormwater", "water-quality"]],
  ["drought-ready-west", "Drought Ready West", "west", ["drought"]],
  ["wetlands-gulf-coast", "Gulf Coast Wetlands", "south", ["wetlands", "rivers"]],
  ["groundwater-guardians", "Groundwater Guardians", ORG, ["groundwater", "water-quality"]],
  ["water-affordability", "Water Affordability Now", ORG, ["affordability"]],
  ["tribal-water-rights", "Tribal Water Rights Solidarity", "west", ["environmental-justice"]],
  ["ocean-outfalls", "Ocean Outfalls Watch", "pacific", ["water-quality", "ocean"]],
  ["students-for-clean-water", "Students for Clean Water", ORG, ["schools", "water-quality"]],
];

// Campaign groups: [slug, name, parent, tags, campaign_end, radius territory or null].
// Some ended before NOW and still run (they await dissolve or conversion).
const CAMPAIGNS = [
  ["save-the-charles", "Save the Charles Esplanade", "new-england", ["rivers"], "2027-05-31T23:59:00Z", [-71.0865, 42.3555, 1500]],
  ["mystic-river-cleanup", "Mystic River Cleanup 2026", "new-england", ["rivers", "water-quality"], "2026-09-30T23:59:00Z", [-71.079, 42.393, 2500]],
  ["no-pipeline-in-the-pines", "No Pipeline in the Pines", "northeast", ["groundwater"], "2027-03-31T23:59:00Z", [-74.55, 39.8, 30000]],
  ["flint-solidarity-ride", "Flint Solidarity Ride", ORG, ["lead-pipes"], "2026-06-30T23:59:00Z", null],
  ["replace-every-lead-line", "Replace Every Lead Line Act", ORG, ["lead-pipes"], "2027-12-31T23:59:00Z", null],
  ["jackson-water-justice", "Jackson Water Justice", "south", ["water-quality", "environmental-justice"], "2027-01-31T23:59:00Z", [-90.1848, 32.2988, 25000]],
  ["cancer-alley-intake", "Cancer Alley Intake Watch", "south", ["water-quality"], "2026-08-31T23:59:00Z", [-90.9, 30.05, 20000]],
  ["river-rights-ballot", "River Rights Ballot Measure", "west", ["rivers"], "2026-11-03T23:59:00Z", null],
  ["lake-mead-low-water", "Lake Mead Low-Water Response", "west", ["drought"], "2027-06-30T23:59:00Z", [-114.7, 36.15, 40000]],
  ["puget-sound-outfall", "Puget Sound Outfall Fix", "pacific", ["ocean", "stormwater"], "2027-02-28T23:59:00Z", [-122.43, 47.66, 4000]],
  ["red-hill-fuel-leak", "Red Hill Fuel Leak Campaign", "pacific", ["groundwater"], "2027-09-30T23:59:00Z", [-157.89, 21.37, 10000]],
  ["bottle-bill-2026", "Bottle Bill 2026", ORG, ["stormwater"], "2026-05-31T23:59:00Z", null],
];

// Status and visibility by slug (everything else: active, public).
const STATUS = {
  // moderation queue: recent applications
  knoxville: "applied",
  eugene: "applied",
  "springfield-ma": "applied",
  "las-vegas": "applied",
  savannah: "applied",
  "ocean-outfalls": "applied",
  "lake-mead-low-water": "applied",
  "tribal-water-rights": "applied",
  // archived, with a reason
  buffalo: "archived",
  memphis: "archived",
  "groundwater-guardians": "archived",
  "bottle-bill-2026": "archived",
  "flint-solidarity-ride": "archived",
  // rejected
  "lead-service-lines-ne": "rejected",
  "cancer-alley-intake": "rejected",
};

const STATUS_REASONS = {
  buffalo: "no leader activity for six months; a call for new leaders went unanswered",
  memphis: "leaders moved away; members invited to join Mississippi River Keepers",
  "groundwater-guardians": "merged into Tap Water Testers",
  "bottle-bill-2026": "campaign ended: the bill passed committee and the group dissolved",
  "flint-solidarity-ride": "campaign ended after the ride; no conversion requested",
  "lead-service-lines-ne": "duplicates the national Lead-Free Schools group; applicants referred there",
  "cancer-alley-intake": "outside current campaign priorities; re-apply after the spring planning cycle",
};

const VISIBILITY = {
  fairbanks: "unlisted",
  juneau: "unlisted",
  "red-hill-fuel-leak": "unlisted",
  "water-affordability": "unlisted",
  "colorado-river-compact": "unlisted",
  "tribal-water-rights": "hidden",
  "jackson-water-justice": "hidden",
  "salmon-rivers": "hidden",
};

// Active groups founded in the 90 days before NOW: "new" groups for health.
const NEW_GROUPS = ["charleston", "albuquerque", "tucson", "drought-ready-west", "river-rights-ballot", "puget-sound-outfall", "students-for-clean-water"];

const ISSUE_TAGS_FOR_LOCALS = ["water-quality", "lead-pipes", "rivers", "stormwater", "drought", "pfas", "wetlands"];

// ------------------------------------------------------------ node records

const START_MS = Date.parse("2023-01-15T00:00:00Z");
const NEW_FROM_MS = NOW_MS - 88 * DAY_MS;
const ESTABLISHED_UNTIL_MS = Date.parse("2026-07-15T00:00:00Z");

function cohortOf(msTime) {
  const d = new Date(msTime);
  return `${d.getUTCFullYear()}-${d.getUTCMonth() < 6 ? "spring" : "fall"}`;
}

function countyTerritory(fips) {
  return county(fips).geometry;
}

function radiusTerritory(lon, lat, radius) {
  return { type: "Point", coordinates: [round6(lon), round6(lat)], radius_m: radius };
}

function buildChapters() {
  const rng = makeRng("chapterhouse-sample/network/chapters");
  const specs = [];
  for (const [slug, name, fips, region] of COUNTY_LOCALS) {
    const c = county(fips);
    specs.push({
      slug, name, parent: region, group_kind: "local", territory: countyTerritory(fips),
      description: `Clean Water Alliance volunteers in ${c.properties.name}, ${c.properties.state}.`,
    });
  }
  for (const [slug, name, lon, lat, r, region] of RADIUS_LOCALS) {
    specs.push({
      slug, name, parent: region, group_kind: "local", territory: radiusTerritory(lon, lat, r),
      description: `Clean Water Alliance volunteers within ${r / 1000} km of ${name}.`,
    });
  }
  for (const [slug, name, region] of BARE_LOCALS) {
    specs.push({ slug, name, parent: region, group_kind: "local" });
  }
  for (const [slug, name, parent, tags] of ISSUE_GROUPS) {
    specs.push({ slug, name, parent, group_kind: "issue", tags });
  }
  for (const [slug, name, parent, tags, end, circle] of CAMPAIGNS) {
    specs.push({
      slug, name, parent, group_kind: "campaign", tags, campaign_end: end,
      territory: circle ? radiusTerritory(...circle) : undefined,
    });
  }

  const chapters = [];
  for (const s of specs) {
    const status = STATUS[s.slug] ?? "active";
    // created: when the group applied; updated: its last change (for an
    // archived or rejected group, the archive or rejection).
    let created;
    let updated;
    const end = s.campaign_end ? Date.parse(s.campaign_end) : undefined;
    if (status === "applied") {
      created = rng.timeBetween(NOW_MS - 40 * DAY_MS, NOW_MS - 2 * DAY_MS);
    } else if (NEW_GROUPS.includes(s.slug)) {
      created = rng.timeBetween(NEW_FROM_MS, NOW_MS - 10 * DAY_MS);
    } else if (end !== undefined) {
      // a campaign starts four months to two years before its end
      const from = Math.max(START_MS, end - 700 * DAY_MS);
      created = rng.timeBetween(from, Math.min(end - 120 * DAY_MS, ESTABLISHED_UNTIL_MS));
    } else if (status === "archived") {
      created = rng.timeBetween(START_MS, Date.parse("2024-12-31T00:00:00Z"));
    } else {
      created = rng.timeBetween(START_MS, ESTABLISHED_UNTIL_MS);
    }
    if (status === "applied") {
      updated = created;
    } else if (status === "rejected") {
      updated = created + rng.int(1, 14) * DAY_MS + rng.int(0, 600) * 60000;
    } else if (status === "archived" && end !== undefined && end < NOW_MS) {
      updated = end + rng.int(3, 30) * DAY_MS;
    } else if (status === "archived") {
      updated = rng.timeBetween(created + 300 * DAY_MS, Math.min(created + 700 * DAY_MS, NOW_MS - 30 * DAY_MS));
    } else {
      updated = rng.timeBetween(created, Math.min(NOW_MS - DAY_MS, created + 400 * DAY_MS));
    }
    if (!(created <= updated && updated < NOW_MS)) fail(`${s.slug}: bad timeline`);
    let tags = s.tags ?? [];
    if (s.group_kind === "local" && rng.chance(0.35)) {
      tags = rng.sample(ISSUE_TAGS_FOR_LOCALS, rng.int(1, 2));
    }
    tags = [...new Set(tags)].sort();
    const cohort = status === "applied" || status === "rejected" ? undefined : cohortOf(created);
    chapters.push({
      id: `ch-${s.slug}`,
      kind: "chapter",
      parent: s.parent,
      name: s.name,
      slug: s.slug,
      tags,
      created: iso(created),
      updated: iso(updated),
      group_kind: s.group_kind,
      status,
      visibility: VISIBILITY[s.slug] ?? "public",
      cohort,
      territory: s.territory,
      campaign_end: s.campaign_end,
      status_reason: STATUS_REASONS[s.slug],
      description: s.description,
      join_url: status === "active" && VISIBILITY[s.slug] === undefined
        ? `https://cleanwateralliance.example/join/${s.slug}` : undefined,
    });
  }
  for (const slug of Object.keys(STATUS)) {
    if (!chapters.some((c) => c.slug === slug)) fail(`STATUS names unknown chapter ${slug}`);
  }
  for (const slug of [...Object.keys(VISIBILITY), ...Object.keys(STATUS_REASONS), ...NEW_GROUPS]) {
    if (!chapters.some((c) => c.slug === slug)) fail(`unknown chapter ${slug}`);
  }
  return chapters;
}

function nodeJson(n) {
  return recordJson({
    id: n.id,
    kind: n.kind,
    parent: n.parent,
    name: n.name,
    slug: n.slug,
    tags: n.tags && n.tags.length ? n.tags : undefined,
    created: n.created,
    updated: n.updated,
    group_kind: n.group_kind,
    status: n.status,
    visibility: n.visibility,
    cohort: n.cohort,
    territory: n.territory ? { raw: valueJson(n.territory) } : undefined,
    campaign_end: n.campaign_end,
    status_reason: n.status_reason,
    description: n.description,
    join_url: n.join_url,
  });
}

// ------------------------------------------------------- people and grants

const FIRST = [
  "Ana", "Ben", "Carmen", "Darius", "Elena", "Farah", "Grace", "Hiro", "Imani", "Jonas",
  "Keisha", "Luis", "Maya", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Samir", "Tessa",
  "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aaron", "Beatriz", "Chen", "Dana",
  "Emeka", "Fiona", "Gabriel", "Hannah", "Ivan", "Jasmine", "Kofi", "Leah", "Mateo", "Noor",
  "Olivia", "Pedro", "Rahul", "Sofia", "Tomás", "Valeria", "Will", "Yara", "Zain", "Aisha",
];
const LAST = [
  "Ruiz", "Okafor", "Nguyen", "Kowalski", "Haddad", "Johnson", "Silva", "Tanaka", "Brooks", "Patel",
  "Moreau", "Kim", "Garcia", "Osei", "Larsen", "Cohen", "Rivera", "Schmidt", "Ahmed", "O'Brien",
  "Williams", "Mendoza", "Novak", "Begay", "Chowdhury", "Fischer", "Lopez", "Yamamoto", "Adeyemi", "Walsh",
  "Reyes", "Sato", "Hughes", "Kaur", "Baptiste", "Lindqvist", "Torres", "Mwangi", "Park", "Rossi",
];

const BOTH = ["data_agreement", "data_protection_training"];

function buildPeopleAndGrants(regions, chapters) {
  const rng = makeRng("chapterhouse-sample/network/people");
  const people = [];
  const grants = [];
  const usedNames = new Set();
  const newPerson = (opts = {}) => {
    let name = opts.name;
    while (name === undefined || usedNames.has(name)) name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
    usedNames.add(name);
    const p = { id: `p-${String(people.length + 1).padStart(4, "0")}`, name, ...opts };
    people.push(p);
    return p;
  };
  const grant = (person, role, scope, from, until) => {
    const g = {
      id: `g-${String(grants.length + 1).padStart(4, "0")}`,
      person: person.id,
      role,
      scope,
      valid_from: from,
      valid_until: until,
    };
    grants.push(g);
    return g;
  };
  const day = (msTime) => iso(Math.floor(msTime / DAY_MS) * DAY_MS);
  const TERM_END = "2027-12-31T00:00:00Z";

  // Central: admin, data officer, staff (who also mentor cohorts).
  const ana = newPerson({ name: "Ana Ruiz", attestations: BOTH });
  grant(ana, "admin", { node: ORG }, "2022-09-01T00:00:00Z");
  const dataOfficer = newPerson({ attestations: BOTH });
  grant(dataOfficer, "data_officer", { node: ORG }, "2023-01-02T00:00:00Z");
  const staff = [];
  for (let i = 0; i < 6; i++) {
    const s = newPerson({ attestations: BOTH });
    grant(s, "staff", { node: ORG }, day(Date.parse("2023-01-02T00:00:00Z") + i * 60 * DAY_MS));
    staff.push(s);
  }

  // Regional coordinators, one or two per region.
  const coordinators = {};
  for (const r of regions) {
    const n = r.id === "northeast" || r.id === "west" ? 2 : 1;
    coordinators[r.id] = [];
    for (let i = 0; i < n; i++) {
      const p = newPerson({ attestations: BOTH });
      grant(p, "regional_coordinator", { node: r.id }, day(Date.parse(r.created) + (i + 1) * 30 * DAY_MS));
      coordinators[r.id].push(p);
    }
  }
  // An issue-network coordinator and a tag-scoped mentor (scope by tag).
  const leadNet = newPerson({ attestations: BOTH });
  grant(leadNet, "regional_coordinator", { tag: "lead-pipes" }, "2024-03-01T00:00:00Z");
  grant(staff[5], "mentor", { tag: "water-quality" }, "2024-06-01T00:00:00Z");

  // Mentors: each cohort of chapters is supported by one staff member.
  const cohorts = [...new Set(chapters.map((c) => c.cohort).filter(Boolean))].sort();
  cohorts.forEach((cohort, i) => {
    const mentor = staff[i % staff.length];
    for (const c of chapters) {
      if (c.cohort !== cohort || c.status !== "active") continue;
      grant(mentor, "mentor", { node: c.id }, day(Date.parse(c.created)));
    }
  });

  // Chapter people.
  const pool = []; // earlier members, some of whom join a second chapter
  const leaderIds = [];
  for (const c of chapters) {
    const from = Date.parse(c.created);
    if (c.status === "rejected") continue;
    if (c.status === "applied") {
      // the applicant: will lead the group once it is approved
      const p = newPerson({ attestations: rng.chance(0.5) ? BOTH : undefined });
      grant(p, "supporter", { node: c.id }, day(from));
      continue;
    }
    const nLeaders = c.status === "archived" ? 1 : rng.pickWeighted([[1, 3], [2, 4], [3, 2]]);
    for (let i = 0; i < nLeaders; i++) {
      const p = newPerson({ attestations: BOTH });
      const role = i === 0 ? "chapter_leader" : "co_leader";
      const since = i === 0 ? from : rng.timeBetween(from, Math.max(from + DAY_MS, NOW_MS - 30 * DAY_MS));
      grant(p, role, { node: c.id }, day(since), rng.chance(0.3) ? TERM_END : undefined);
      leaderIds.push(p);
    }
    if (c.status === "archived") continue;
    const nHosts = rng.pickWeighted([[0, 4], [1, 4], [2, 2]]);
    for (let i = 0; i < nHosts; i++) {
      const p = newPerson({ attestations: rng.chance(0.5) ? ["data_protection_training"] : undefined });
      grant(p, "host", { node: c.id }, day(rng.timeBetween(from, NOW_MS - DAY_MS)));
    }
    const nMembers = rng.int(2, 5);
    for (let i = 0; i < nMembers; i++) {
      const p = pool.length > 20 && rng.chance(0.15) ? rng.pick(pool) : newPerson();
      if (!pool.includes(p)) pool.push(p);
      grant(p, "member", { node: c.id }, day(rng.timeBetween(from, NOW_MS - DAY_MS)));
    }
    const nSupporters = rng.int(0, 2);
    for (let i = 0; i < nSupporters; i++) {
      const p = newPerson();
      grant(p, "supporter", { node: c.id }, day(rng.timeBetween(from, NOW_MS - DAY_MS)));
    }
  }
  // Members of the water-quality issue network, by tag.
  for (let i = 0; i < 3; i++) {
    grant(rng.pick(pool), "member", { tag: "water-quality" }, day(rng.timeBetween(START_MS, NOW_MS - DAY_MS)));
  }

  // Special cases, named so the tour and tests can find them.
  // 1. A suspended person: the leader of the Brooklyn chapter.
  const brooklynLead = grants.find((g) => g.scope.node === "ch-brooklyn" && g.role === "chapter_leader");
  people.find((p) => p.id === brooklynLead.person).suspended = true;
  // 2. An expired grant: a former co-leader in Philadelphia whose term ended.
  const expired = newPerson({ attestations: BOTH });
  grant(expired, "co_leader", { node: "ch-philadelphia" }, "2024-01-01T00:00:00Z", "2026-06-30T00:00:00Z");
  // 3. A leader without the data agreement (training only): leads Queens.
  const queensLead = grants.find((g) => g.scope.node === "ch-queens" && g.role === "chapter_leader");
  people.find((p) => p.id === queensLead.person).attestations = ["data_protection_training"];

  return { people, grants, staff, coordinators };
}

function personJson(p) {
  return recordJson({
    id: p.id,
    name: p.name,
    attestations: p.attestations && p.attestations.length ? p.attestations : undefined,
    suspended: p.suspended ? true : undefined,
  });
}

function grantJson(g) {
  return valueJson(g);
}

// ------------------------------------------------------------- geometry

// Is the point on the segment a-b (exactly collinear and between)?
function onSegment(x, y, a, b) {
  const cross = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
  if (cross !== 0) return false;
  return Math.min(a[0], b[0]) <= x && x <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= y && y <= Math.max(a[1], b[1]);
}

// 1 inside, 0 on the boundary, -1 outside (planar lon/lat, even-odd).
function ringSide(x, y, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j], b = ring[i];
    if (onSegment(x, y, a, b)) return 0;
    if ((a[1] > y) !== (b[1] > y) && x < ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]) + a[0]) {
      inside = !inside;
    }
  }
  return inside ? 1 : -1;
}

function polygonCovers(x, y, rings) {
  const outer = ringSide(x, y, rings[0]);
  if (outer < 0) return false;
  if (outer === 0) return true;
  for (const hole of rings.slice(1)) {
    const s = ringSide(x, y, hole);
    if (s === 0) return true;
    if (s > 0) return false;
  }
  return true;
}

function haversine(lon1, lat1, lon2, lat2) {
  const R = 6371008.8;
  const toRad = Math.PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLon = (lon2 - lon1) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

function territoryCovers(t, lon, lat) {
  if (t.type === "Point") return haversine(lon, lat, t.coordinates[0], t.coordinates[1]) <= t.radius_m;
  const polys = t.type === "Polygon" ? [t.coordinates] : t.coordinates;
  return polys.some((p) => polygonCovers(lon, lat, p));
}

// A vertex shared by the boundaries of two counties and by no third chapter
// county, in the middle of their common border.
function sharedBorderVertex(fipsA, fipsB) {
  const verts = (fips) => {
    const g = county(fips).geometry;
    const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    return polys.flatMap((p) => p.flatMap((r) => r.slice(0, -1)));
  };
  const inB = new Set(verts(fipsB).map((v) => v.join(",")));
  const shared = verts(fipsA).filter((v) => inB.has(v.join(",")));
  if (shared.length < 3) fail(`counties ${fipsA} and ${fipsB} share no border`);
  shared.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  return shared[Math.floor(shared.length / 2)];
}

// ---------------------------------------------------------------- places

// [name, lon, lat, expected chapter ids covering it (territory-wise, any status)]
function buildPlaces(chapters) {
  const border = sharedBorderVertex("25025", "25021"); // Suffolk (Boston) | Norfolk
  const places = [
    ["Downtown Boston", -71.0589, 42.3601, ["ch-boston"]],
    ["Harvard Square, Cambridge", -71.1189, 42.3733, ["ch-cambridge", "ch-middlesex"]],
    ["Boston–Norfolk county line", border[0], border[1], ["ch-boston", "ch-norfolk"]],
    ["Esplanade, Boston", -71.0815, 42.3565, ["ch-boston", "ch-save-the-charles"]],
    ["Prospect Park, Brooklyn", -73.969, 40.6602, ["ch-brooklyn"]],
    ["Flushing, Queens", -73.8303, 40.7675, ["ch-queens"]],
    ["Downtown Charlottesville", -78.4767, 38.0293, []],
    ["Chicago Loop", -87.6298, 41.8781, []],
    ["Kansas City", -94.5786, 39.0997, []],
    ["Gulf of Maine", -68.5, 42.8, []],
    ["Downtown Denver", -104.9903, 39.7392, ["ch-denver"]],
    ["Pike Place Market, Seattle", -122.3421, 47.6097, ["ch-seattle"]],
    ["Downtown Asheville", -82.5515, 35.5951, ["ch-asheville"]],
    ["Unalaska", -166.5422, 53.8898, ["ch-aleutians"]],
    ["Attu Island", 173.18, 52.86, ["ch-aleutians"]],
    ["Waikiki, Honolulu", -157.8294, 21.2793, ["ch-honolulu"]],
  ];
  const withTerritory = chapters.filter((c) => c.territory);
  for (const [name, lon, lat, expect] of places) {
    const got = withTerritory.filter((c) => territoryCovers(c.territory, lon, lat)).map((c) => c.id).sort();
    if (got.join() !== [...expect].sort().join()) {
      fail(`place ${name} (${lon}, ${lat}) is covered by [${got}], expected [${expect}]`);
    }
  }
  return places.map(([name, lon, lat]) => ({ name, lon: round6(lon), lat: round6(lat) }));
}

// ----------------------------------------------------------------- main

function main() {
  const orgRecord = recordJson({
    id: ORG,
    name: "Clean Water Alliance",
    slug: "clean-water-alliance",
    tags: undefined,
    created: ORG_CREATED,
    updated: "2026-10-20T14:30:00Z",
  });
  const regions = REGIONS.map(([id, parent, name, created]) => ({
    id, kind: "region", parent, name, slug: id, created, updated: created,
  }));
  const chapters = buildChapters();
  const nodes = [...regions, ...chapters];
  const { people, grants } = buildPeopleAndGrants(regions, chapters);

  const ids = new Set([ORG, ...nodes.map((n) => n.id)]);
  const slugs = new Set(["clean-water-alliance", ...nodes.map((n) => n.slug)]);
  if (ids.size !== nodes.length + 1 || slugs.size !== nodes.length + 1) fail("duplicate id or slug");
  for (const g of grants) {
    if (g.scope.node && !ids.has(g.scope.node)) fail(`${g.id}: unknown node ${g.scope.node}`);
    if (g.valid_until && g.valid_until <= g.valid_from) fail(`${g.id}: empty validity`);
  }
  const expiredGrants = grants.filter((g) => g.valid_until && g.valid_until <= NOW);
  if (expiredGrants.length !== 1) fail(`expected exactly one expired grant, got ${expiredGrants.length}`);

  const text =
    "{\n" +
    `"format": ${JSON.stringify(FORMAT)},\n` +
    `"organization": ${orgRecord},\n` +
    `"nodes": ${linesJson(nodes.map(nodeJson))},\n` +
    `"people": ${linesJson(people.map(personJson))},\n` +
    `"grants": ${linesJson(grants.map(grantJson))}\n` +
    "}\n";
  const size = writeData("network.json", text);

  const places = buildPlaces(chapters);
  const placesText = "[\n" + places.map((p) => "  " + JSON.stringify(p)).join(",\n") + "\n]\n";
  const placesSize = writeData("places.json", placesText);

  const count = (pred) => chapters.filter(pred).length;
  const by = (field) => {
    const m = {};
    for (const c of chapters) m[c[field]] = (m[c[field]] ?? 0) + 1;
    return Object.entries(m).map(([k, v]) => `${k} ${v}`).join(", ");
  };
  console.log(
    `network.mjs: wrote network.json (${size} bytes): ${regions.length} regions, ` +
      `${chapters.length} chapters (${by("group_kind")}; ${by("status")}; ${by("visibility")}; ` +
      `${count((c) => c.territory)} with territory), ${people.length} people, ${grants.length} grants; ` +
      `places.json (${placesSize} bytes): ${places.length} places`,
  );
}

main();
