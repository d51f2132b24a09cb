// Shared by the page and its build step, so the borders drawn at build time
// and the territories drawn in the page line up.
import { geoAlbersUsa } from 'd3-geo';

/** The map's size in SVG units (the us-atlas convention). */
export const WIDTH = 975;
export const HEIGHT = 610;

/** "Today" for the health statuses: the sample data's as-of time. */
export const NOW = '2026-11-01T00:00:00Z';

/** Albers equal-area, with Alaska and Hawaii as insets. */
export function projection() {
  return geoAlbersUsa().scale(1300).translate([WIDTH / 2, HEIGHT / 2]);
}

/** Health statuses: label and colour (also the legend's order). */
export const STATUSES = {
  thriving: { label: 'Thriving', colour: '#1a9850' },
  steady: { label: 'Steady', colour: '#4575b4' },
  new: { label: 'New', colour: '#8e63b5' },
  at_risk: { label: 'At risk', colour: '#f46d43' },
  dormant: { label: 'Dormant', colour: '#8c8c8c' },
};
