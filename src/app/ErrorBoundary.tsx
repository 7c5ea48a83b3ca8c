import { Component, type ErrorInfo, type ReactNode } from 'react';
import { appStore } from '../session/app-store';
import { errorSentence } from '../ui/error-sentence';

interface Props {
  /** What this boundary protects, named in the sentence the user sees. */
  area: string;
  children: ReactNode;
}

interface State {
  failed: boolean;
}

/** A crash in one area (viewer, panel) is reported as a sentence; the other areas keep working. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, _info: ErrorInfo): void {
    appStore
      .getState()
      .reportError(
        errorSentence(
          `The ${this.props.area} stopped working`,
          error,
          `Press "Restart the ${this.props.area}" to reload it; other parts of the app are unaffected`,
        ),
      );
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="flex flex-1 items-center justify-center p-6 text-sm text-slate-600">
        <button type="button" className="rounded border border-slate-300 bg-white px-3 py-1" onClick={() => this.setState({ failed: false })}>
          Restart the {this.props.area}
        </button>
      </div>
    );
  }
}
