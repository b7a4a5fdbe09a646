// The credentials Secret is created once and never updated (passwords and keys must not change under a
// running cluster); its contents are never logged. If it disappears after provisioning it is not
// regenerated (the databases would reject new passwords): the cluster reports Degraded instead.
// Referenced external Secrets are checked to exist.
import { EventReason, Reason } from "../controller/conditions.js";
import { type Phase, proceed } from "../controller/reconcile.js";
import { isConflict } from "../kube/http.js";
import type { KObject } from "../kube/resources.js";
import { names } from "../specs/common.js";
import { buildCredentialsSecret } from "../specs/secrets.js";

export const secretsPhase: Phase = {
  name: "secrets",
  async run(ctx) {
    const name = names.credentials(ctx.name);
    if (!ctx.cache.get("v1", "Secret", ctx.namespace, name)) {
      const live = await ctx.client.get({ apiVersion: "v1", kind: "Secret", namespace: ctx.namespace, name });
      if (!live && ctx.cc.status?.credentialsSecret) {
        // The cluster was provisioned with these credentials: the databases on its volumes only accept them.
        // New random ones would lock the platform out, so say so instead of regenerating.
        const message = `credentials Secret ${name} was deleted after provisioning: restore it (the data on the volumes uses it); the operator will not generate new credentials`;
        ctx.problems.push({ reason: Reason.MissingSecret, message });
        ctx.recorder.event(ctx.cc as unknown as KObject, "Warning", EventReason.MissingSecret, message);
      } else if (!live) {
        try {
          await ctx.client.create(buildCredentialsSecret(ctx.cc) as KObject);
          ctx.changed.push(`Secret/${name}`);
          ctx.recorder.event(
            ctx.cc as unknown as KObject,
            "Normal",
            EventReason.SecretCreated,
            `generated credentials Secret ${name}`,
          );
        } catch (e) {
          if (!isConflict(e)) throw e;
        }
      }
    }
    const refs: string[] = [];
    const k = ctx.cc.spec.kafka.external?.credentialsSecretRef?.name;
    const r = ctx.cc.spec.redis.external?.passwordSecretRef?.name;
    if (k) refs.push(k);
    if (r) refs.push(r);
    for (const ref of refs) {
      const s = await ctx.client.get({
        apiVersion: "v1",
        kind: "Secret",
        namespace: ctx.namespace,
        name: ref,
      });
      if (!s) {
        const message = `Secret ${ref} referenced by the spec does not exist`;
        ctx.problems.push({ reason: Reason.MissingSecret, message });
        ctx.recorder.event(ctx.cc as unknown as KObject, "Warning", EventReason.MissingSecret, message);
      }
    }
    return proceed;
  },
};
