import { EddyError, ErrorCode } from '@eddy/protocol';
import type { RequestOf, ResponseOf } from '@eddy/protocol';
import type { HandlerContext } from '../handler.ts';
import { connectorFiles } from '../../connectors/connector_files.ts';
import { readConnectorLog } from '../../connectors/connector_log.ts';

/** ConnectorLogs: the tail of a connector's captured output (secret values were masked when written). */
export async function connectorLogs(req: RequestOf<'ConnectorLogs'>, { controller }: HandlerContext): Promise<ResponseOf<'ConnectorLogs'>> {
  if (!controller.connector(req.name)) throw new EddyError(ErrorCode.ConnectorNotFound, `unknown connector '${req.name}'`);
  const text = await readConnectorLog(connectorFiles(controller.dataDir, req.name), req.lines);
  return { errorCode: ErrorCode.None, errorMessage: null, text };
}
