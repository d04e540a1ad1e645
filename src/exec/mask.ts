/** Replaces every known secret with `***` in text bound for a log, an output or an error message. */
export class SecretMask {
  private secrets: string[] = [];

  add(...values: readonly string[]): void {
    for (const value of values) {
      // Every line of a multi-line secret is masked on its own too, as log output arrives line by line.
      for (const part of [value, ...value.split(/\r?\n/)]) {
        const trimmed = part.trim();
        if (trimmed.length >= 3 && !this.secrets.includes(trimmed)) this.secrets.push(trimmed);
      }
    }
    // Longest first, so that a secret containing another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  apply(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  get values(): readonly string[] {
    return this.secrets;
  }
}
