// Who is signed in: kept in memory, and in this tab's sessionStorage only when the person asks (never localStorage).
export type Session = { role: 'customer'; cpf: string; secret: string } | { role: 'staff'; secret: string };

const KEY = 'luz.session';

export function savedSession(): Session | undefined {
  try {
    const text = sessionStorage.getItem(KEY);
    return text ? (JSON.parse(text) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function keepSession(session: Session | undefined, inThisTab: boolean): void {
  try {
    if (session && inThisTab) sessionStorage.setItem(KEY, JSON.stringify(session));
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage disabled: memory only */
  }
}
