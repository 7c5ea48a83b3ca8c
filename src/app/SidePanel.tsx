import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { SIDE_PANEL_WIDTH_KEY, clampSidePanelWidth, savedSidePanelWidth, widthAfterKey } from './side-panel-width';
import { SIDE_PANEL_TABS, useAppStore, type SidePanelTab } from '../session/app-store';
import { SIDE_PANEL_TAB_INFO, tabAfterKey } from './side-panel-tabs';
import { AskPanel } from '../features/ask';
import { ModelsPanel } from '../features/models';
import { SearchPanel } from '../features/search';
import { ClassifyPanel } from '../features/classify';
import { PracticePanel } from '../features/practice';

/** Tabs whose feature exists; the others say so. */
const PANEL_CONTENT: Partial<Record<SidePanelTab, () => React.JSX.Element>> = {
  ask: AskPanel,
  classify: ClassifyPanel,
  search: SearchPanel,
  practice: PracticePanel,
  models: ModelsPanel,
};

export function SidePanel() {
  const activeTab = useAppStore((state) => state.activeTab);
  const selectTab = useAppStore((state) => state.selectTab);
  const tabRefs = useRef(new Map<SidePanelTab, HTMLButtonElement>());
  const [width, setWidth] = useState(() => clampSidePanelWidth(savedSidePanelWidth(globalThis.localStorage), window.innerWidth));
  const resize = (next: number) => {
    const clamped = clampSidePanelWidth(next, window.innerWidth);
    setWidth(clamped);
    globalThis.localStorage?.setItem(SIDE_PANEL_WIDTH_KEY, String(clamped));
  };
  // A smaller window must still leave the slide half of it.
  useEffect(() => {
    const onResize = () => setWidth((current) => clampSidePanelWidth(current, window.innerWidth));
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  const onSplitterKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const next = widthAfterKey(width, event.key, event.shiftKey, window.innerWidth);
    if (next === null) return;
    event.preventDefault();
    resize(next);
  };
  const onSplitterDown = (event: PointerEvent<HTMLDivElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onSplitterMove = (event: PointerEvent<HTMLDivElement>) => {
    if (event.currentTarget.hasPointerCapture(event.pointerId)) resize(window.innerWidth - event.clientX);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    const next = tabAfterKey(activeTab, event.key, SIDE_PANEL_TABS);
    if (!next) return;
    event.preventDefault();
    selectTab(next);
    tabRefs.current.get(next)?.focus();
  };

  return (
    <aside id="side-panel" aria-label="Tools" className="relative flex shrink-0 flex-col border-l border-slate-200 bg-white" style={{ width }}>
      <div
        role="separator"
        aria-orientation="vertical"
        aria-label="Side panel width"
        aria-valuenow={width}
        aria-valuemin={clampSidePanelWidth(0, window.innerWidth)}
        aria-valuemax={clampSidePanelWidth(Number.POSITIVE_INFINITY, window.innerWidth)}
        tabIndex={0}
        data-testid="side-panel-splitter"
        className="absolute inset-y-0 -left-1 z-10 w-2 cursor-col-resize hover:bg-stain-hematoxylin/30 focus:bg-stain-hematoxylin/40 focus:outline-none"
        onKeyDown={onSplitterKey}
        onPointerDown={onSplitterDown}
        onPointerMove={onSplitterMove}
      />
      <div role="tablist" aria-label="Tools" aria-orientation="horizontal" className="flex border-b border-slate-200">
        {SIDE_PANEL_TAB_INFO.map((tab) => {
          const selected = tab.id === activeTab;
          return (
            <button
              key={tab.id}
              ref={(element) => {
                if (element) tabRefs.current.set(tab.id, element);
                else tabRefs.current.delete(tab.id);
              }}
              type="button"
              role="tab"
              id={`tab-${tab.id}`}
              aria-selected={selected}
              aria-controls={`panel-${tab.id}`}
              tabIndex={selected ? 0 : -1}
              onClick={() => selectTab(tab.id)}
              onKeyDown={onKeyDown}
              className={`flex-1 px-2 py-2 text-sm ${
                selected ? 'border-b-2 border-stain-hematoxylin font-semibold text-stain-hematoxylin' : 'text-slate-600 hover:bg-slate-50'
              }`}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      {SIDE_PANEL_TAB_INFO.map((tab) => (
        <section
          key={tab.id}
          role="tabpanel"
          id={`panel-${tab.id}`}
          aria-labelledby={`tab-${tab.id}`}
          hidden={tab.id !== activeTab}
          tabIndex={0}
          className="flex-1 overflow-auto p-4 text-sm"
        >
          <h2 className="mb-2 text-base font-semibold">{tab.label}</h2>
          <TabContent tab={tab.id} purpose={tab.purpose} />
        </section>
      ))}
    </aside>
  );
}

function TabContent({ tab, purpose }: { tab: SidePanelTab; purpose: string }) {
  const Content = PANEL_CONTENT[tab];
  if (Content) return <Content />;
  return (
    <>
      <p className="text-slate-700">{purpose}</p>
      <p className="mt-3 rounded bg-amber-50 px-3 py-2 text-amber-900">Not available yet in this version.</p>
    </>
  );
}
