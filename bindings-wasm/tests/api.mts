// Type-checked (tsc --noEmit, never run): the package's TypeScript API as a
// user writes it. A wrong type in the generated .d.ts makes this fail.
import {
  ChapterFinder, HealthScorer, Network, healthReport, triagePlan, version,
} from 'chapterhouse';
import type {
  Change, ChapterEntry, ChapterhouseError, DecisionReport, ErrorCode, FeatureCollection, Filter,
  GroupReport, HealthReport, HealthStatus, NearestChapter, NodeRecord, NodesPage, Op, Plan, PlanRow,
  TriageInput,
} from 'chapterhouse';

const v: string = version();
const net: Network = Network.fromJson('{"format":"chapterhouse/1"}');
const n: number = net.len();
const empty: boolean = net.isEmpty();
const text: string = net.toJson();
const rev: number = net.revision();

const op: Op = { op: 'approve', id: 'ch-1' };
const change: Change = net.apply(op, 'host', new Date());
net.apply({ op: 'grant', id: 'g', person: 'p', role: 'host', scope: { node: 'ch-1' } }, { person: 'p-1' }, '2026-01-01T00:00:00Z');
const summary: string = change.summary;
const node: NodeRecord | undefined = net.node('ch-1');
const kids: string[] = net.subtree('org');
const anc: boolean = net.isAncestor('org', 'ch-1');
const d: DecisionReport = net.check('p-1', 'members.export', 'ch-1', new Date());
const why: string = d.explanation;
const page: NodesPage = net.nodesWhere('p-1', 'chapter.view', new Date(), 100);
const page2: NodesPage = net.nodesWhere('p-1', 'chapter.view', new Date(), 100, page.next ?? undefined);
const who: DecisionReport[] = net.whoCan('event.approve', 'ch-1', new Date());
const view: FeatureCollection = net.publicView();

const filter: Filter = { kinds: ['local'], statuses: ['active'] };
const finder = new ChapterFinder(view, filter);
const finder2 = ChapterFinder.fromNetwork(net);
const ix: number = finder.lookup(-71.06, 42.36);
const built: void = finder.buildAll();
const all: Uint32Array = finder.lookupAll(-71.06, 42.36);
const many: Int32Array = finder.lookupMany(new Float64Array([-71.06, 42.36]));
const entry: ChapterEntry = finder.entry(ix);
const maybe: ChapterEntry | undefined = finder.chapterAt(0, 0);
const near: NearestChapter[] = finder.nearest(-68.5, 42.8, 3);
const km: number = near[0].distance_m / 1000;
const count: number = finder.length;

const report: HealthReport = healthReport('group,time,kind,value,actor\n', { staff: ['p-1'] }, new Date());
const g: GroupReport = report.groups[0];
const status: HealthStatus = g.status;
const scorer = new HealthScorer(undefined, '2026-11-01T00:00:00Z');
scorer.addCsv('group,time,kind,value,actor\n');
scorer.setCalibration(scorer.calibrate().calibration);
const r2: HealthReport = scorer.report(report.metrics);

const input: TriageInput = { requests: [{ id: 'r', kind: 'event_approval', chapter: 'c', tier: 2, created: '2026-01-01T00:00:00Z', minutes: 30 }] };
const plan: Plan = triagePlan(input, new Date());
const row: PlanRow = plan.rows[0];
const today: boolean = row.today;

net.free();
finder.free();
finder2.free();

function codeOf(e: unknown): ErrorCode | undefined {
  if (e instanceof Error && e.name === 'ChapterhouseError') {
    return (e as ChapterhouseError).code;
  }
  return undefined;
}
const code: ErrorCode = 'not_found';

// @ts-expect-error fromJson takes the snapshot's text, not a number
Network.fromJson(42);
// @ts-expect-error not an error code
const bad: ErrorCode = 'nope';
// @ts-expect-error lookup takes two numbers
finder.lookup([-71.06, 42.36]);
// @ts-expect-error not an op
net.apply({ op: 'fly' }, 'host', new Date());
// @ts-expect-error an actor is "host" or a person
net.apply(op, 'robot', new Date());
// @ts-expect-error not a group kind
const badFilter: Filter = { kinds: ['club'] };

export {
  v, n, empty, text, rev, summary, node, kids, anc, why, page2, who, all, many, entry, maybe, km, count,
  status, r2, today, codeOf, code, bad, badFilter,
};

// The finder-only build a website ships.
import initFinder, { ChapterFinder as WebFinder } from 'chapterhouse/finder';
await initFinder();
const webIx: number = new WebFinder('{"type":"FeatureCollection","features":[]}').lookup(0, 0);
export { webIx };
