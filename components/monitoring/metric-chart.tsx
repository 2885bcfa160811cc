'use client';
/**
 * One time-series chart of the monitoring tab, drawn with uPlot (canvas; a few tens of kB, fast
 * with thousands of points): hover shows every series' value at the cursor in the legend, dragging
 * across the chart zooms into that span, double-click zooms back out. An empty chart says why.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatMetricValue } from './metric-format';

export type TChartSeries = { label: string; points: [number, number][] };

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
const HEIGHT = 180;

/** `span`: the time range shown (epoch ms), whatever the points cover. */
export function MetricChart({ title, unit, series, span, empty }: { title: string; unit: string; series: TChartSeries[]; span: [number, number]; empty: string }) {
  const [spanFrom, spanTo] = span;
  const box = useRef<HTMLDivElement>(null);
  const hasData = series.some((s) => s.points.length > 0);

  useEffect(() => {
    const el = box.current;
    if (!el || !hasData) return;
    // One x axis for all series (seconds, as uPlot's time scale wants), with gaps where a series has no point.
    const data = uPlot.join(series.map((s) => [s.points.map(([ts]) => ts / 1000), s.points.map(([, v]) => v)] as uPlot.AlignedData));
    const plot = new uPlot(
      {
        width: el.clientWidth || 400,
        height: HEIGHT,
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: true, range: () => [spanFrom / 1000, spanTo / 1000] }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
        axes: [{}, { size: 70, values: (_u, ticks) => ticks.map((v) => formatMetricValue(v, unit)) }],
        series: [
          {},
          ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false, value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatMetricValue(v, unit)) })),
        ],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, unit, hasData, spanFrom, spanTo]);

  return (
    <figure className="metric-chart" aria-label={title}>
      <figcaption>
        {title} <span className="muted">({unit})</span>
      </figcaption>
      {hasData ? <div ref={box} /> : <p className="muted metric-empty">{empty}</p>}
    </figure>
  );
}
