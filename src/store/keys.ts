/**
 * How eid-idp's keys look in Redis, and why the layout is safe on a Redis Cluster.
 *
 * Every key is `<keyPrefix><namespace>:<id…>`, e.g. `eid-idp:oidc:Session:<id>`,
 * `eid-idp:handle:<digest>`, `eid-idp:oidc:grant-index:<grantId>`.
 *
 * Cluster safety comes from one rule: every command the store sends touches exactly one key
 * (GET, SET EX, GETDEL, UNLINK, and Lua scripts declared with one key). No MULTI, no
 * multi-key DEL, no script reaching a second key. So no two keys ever need to share a hash
 * slot, no key needs a `{hash tag}`, and keys spread evenly over the cluster.
 *
 * The one place that looks multi-key is grant-wide revocation: the grant index is a set of
 * the keys of every artifact issued under one grant. It is read and deleted in one script
 * (one key), and its members are then deleted one command each. A token cannot carry its
 * grant in its own key (oidc-provider finds tokens by id alone), so a shared hash tag per
 * grant is impossible anyway; per-key deletes make it unnecessary.
 *
 * The prefix must not contain braces: a `{…}` in it would become the hash tag of every key
 * and put the whole deployment in one slot (the schema refuses it).
 */
export class KeyLayout {
  readonly prefix: string;

  constructor(prefix: string) {
    if (/[{}]/.test(prefix)) {
      throw new Error(`key prefix "${prefix}" must not contain braces (Cluster hash tags)`);
    }
    this.prefix = prefix;
  }

  /** The Redis key for a caller's key (`oidc:Session:…`, `handle:…`). */
  key(callerKey: string): string {
    return `${this.prefix}${callerKey}`;
  }
}
