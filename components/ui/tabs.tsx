'use client';
import { useState, type ReactNode } from 'react';

export type TTab = { id: string; label: string; render: () => ReactNode };

/** Tabs that render only the active panel (so hidden tabs do not fetch); `active`/`onChange` let a page switch tabs itself. */
export function Tabs({ tabs, initial, active: controlled, onChange }: { tabs: TTab[]; initial?: string; active?: string; onChange?: (id: string) => void }) {
  const [own, setOwn] = useState(initial ?? tabs[0]?.id);
  const active = controlled ?? own;
  const setActive = (id: string) => (onChange ? onChange(id) : setOwn(id));
  const current = tabs.find((t) => t.id === active) ?? tabs[0];
  return (
    <div className="tabs">
      <div className="tab-list" role="tablist">
        {tabs.map((tab) => (
          <button key={tab.id} role="tab" type="button" aria-selected={tab.id === current?.id} className="tab" onClick={() => setActive(tab.id)}>
            {tab.label}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel">
        {current?.render()}
      </div>
    </div>
  );
}
