// The tiny snapshot the tests share.
export const SNAPSHOT = JSON.stringify({
  format: 'chapterhouse/1',
  organization: {
    id: 'org',
    name: 'Org',
    slug: 'org',
    created: '2026-01-01T00:00:00Z',
    updated: '2026-01-01T00:00:00Z',
  },
  nodes: [],
});
