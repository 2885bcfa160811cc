'use client';
import styles from './pools.module.css';

/** One resource of a node: what is held as a bar, what is free as words ("3 of 16 vCPUs free"). */
export function UsageBar({ label, used, total, text, testId }: { label: string; used: number; total: number; text: string; testId: string }) {
  const percent = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return (
    <div className={styles.usage}>
      <div className={styles.usageHead}>
        <span className="muted">{label}</span>
        <span data-testid={testId}>{text}</span>
      </div>
      <div className={styles.bar} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={used} aria-valuetext={text}>
        <div className={`${styles.fill}${percent >= 100 ? ` ${styles.full}` : ''}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
