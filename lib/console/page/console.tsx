import '@seamapi/react/index.css';
import { DeviceTable, SeamProvider } from '@seamapi/react';
import { type FormEvent, StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';

/*
 * The Latchkey console: Seam's own React components (device table, device details with the
 * access-code table, create and edit forms) against this Latchkey, signed in with a
 * publishable key and a user identifier, as a browser app built on Seam would be. The HTML
 * page sets SEAM_ENDPOINT on globalThis.process.env before this runs: the components'
 * `endpoint` prop does not reach the client.
 */

interface SignIn {
  publishableKey: string;
  userIdentifierKey: string;
}

const storageKey = 'latchkey-console';

/** From the query string (?publishable_key=…&user_identifier_key=…), else what this browser used last. */
function initialSignIn(): SignIn | null {
  const query = new URLSearchParams(window.location.search);
  const publishableKey = query.get('publishable_key');
  const userIdentifierKey = query.get('user_identifier_key');
  if (publishableKey && userIdentifierKey) return { publishableKey, userIdentifierKey };
  const saved = window.localStorage.getItem(storageKey);
  if (saved === null) return null;
  try {
    const parsed: unknown = JSON.parse(saved);
    if (typeof parsed === 'object' && parsed !== null && 'publishableKey' in parsed && 'userIdentifierKey' in parsed) {
      const { publishableKey: key, userIdentifierKey: user } = parsed;
      if (typeof key === 'string' && typeof user === 'string') return { publishableKey: key, userIdentifierKey: user };
    }
  } catch {
    // A damaged entry: sign in again.
  }
  return null;
}

function SignInForm({ onSignIn }: { onSignIn: (signIn: SignIn) => void }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const publishableKey = String(data.get('publishable_key') ?? '').trim();
    const userIdentifierKey = String(data.get('user_identifier_key') ?? '').trim();
    if (publishableKey && userIdentifierKey) onSignIn({ publishableKey, userIdentifierKey });
  };
  return (
    <form className="latchkey-sign-in" onSubmit={submit}>
      <h1>Latchkey console</h1>
      <label>
        Publishable key <input name="publishable_key" placeholder="seam_pk1…" autoComplete="off" required />
      </label>
      <label>
        User identifier <input name="user_identifier_key" placeholder="your user id" autoComplete="off" required />
      </label>
      <button type="submit">Sign in</button>
      <p>
        Create a key with <code>npm run latchkey -- keys create-publishable --workspace WORKSPACE_ID</code>; the workspace owner grants the user's devices with{' '}
        <code>/client_sessions/grant_access</code>.
      </p>
    </form>
  );
}

function Console() {
  const [signIn, setSignIn] = useState<SignIn | null>(initialSignIn);
  if (signIn === null) {
    return (
      <SignInForm
        onSignIn={(next) => {
          window.localStorage.setItem(storageKey, JSON.stringify(next));
          setSignIn(next);
        }}
      />
    );
  }
  const signOut = () => {
    window.localStorage.removeItem(storageKey);
    window.history.replaceState(null, '', window.location.pathname);
    setSignIn(null);
  };
  return (
    <main className="latchkey-console">
      <header>
        <span>
          Signed in as <strong>{signIn.userIdentifierKey}</strong>
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <SeamProvider publishableKey={signIn.publishableKey} userIdentifierKey={signIn.userIdentifierKey} disableTelemetry disableCssInjection disableFontInjection>
        <DeviceTable />
      </SeamProvider>
    </main>
  );
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Console />
    </StrictMode>,
  );
}
