// argon2id hashing. Unknown users are verified against a dummy hash so a login
// takes the same time whether or not the account exists.
import argon2 from "argon2";

export class PasswordHasher {
  #dummy: Promise<string> | null = null;
  constructor(private readonly opts: { memoryKib: number; timeCost: number }) {}

  hash(password: string): Promise<string> {
    return argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost: this.opts.memoryKib,
      timeCost: this.opts.timeCost,
      parallelism: 1,
    });
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (hash === null) {
      this.#dummy ??= this.hash("dummy-password-for-timing");
      await argon2.verify(await this.#dummy, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }
}
