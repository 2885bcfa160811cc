/** The package ships no types: what its README documents (one entry per metric family). */
declare module 'parse-prometheus-text-format' {
  type TSample = { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; quantiles?: Record<string, string>; count?: string; sum?: string };
  export default function parsePrometheusTextFormat(text: string): { name: string; help: string; type: string; metrics: TSample[] }[];
}
