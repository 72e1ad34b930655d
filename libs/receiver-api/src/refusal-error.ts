import { HttpError } from '@watchkeeper/http-api';
import type { ErrorBody } from '@watchkeeper/contracts';

/** An error answer with more top-level fields than ErrorBody's (the version gate's `remediation`, commits…). */
export class RefusalError extends HttpError {
  constructor(status: number, code: string, message: string, private readonly fields: Record<string, unknown>) {
    super(status, code, message);
  }

  override toBody(): ErrorBody {
    return { ...super.toBody(), ...this.fields };
  }
}
