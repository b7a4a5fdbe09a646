import { useEffect, useState } from "react";
import { auth, type Session } from "../api/client.js";
import { match, useLocation } from "../router.js";
import { Login } from "./Login.js";
import { OpsPage } from "./OpsPage.js";
import { Shell } from "./Shell.js";

/** Restores the session from the stored refresh token, then shows the chat or the sign-in form. */
export function App() {
  const [session, setSession] = useState<Session | null>(auth.session);
  const [restoring, setRestoring] = useState(() => !auth.session && auth.storedRefreshToken() !== null);
  const route = match(useLocation());

  useEffect(() => auth.onChange(setSession), []);
  useEffect(() => {
    if (!restoring) return;
    void auth.refresh().finally(() => setRestoring(false));
  }, [restoring]);

  if (route.name === "ops") return <OpsPage />;
  if (restoring)
    return (
      <p className="splash" role="status">
        Signing you in…
      </p>
    );
  if (!session) return <Login />;
  return <Shell key={session.user.id} me={session.user} route={route} />;
}
