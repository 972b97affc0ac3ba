import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

/** The one file of a multipart request (a part named `file`): its bytes, or the 4xx already sent naming the field and the rule. */
export async function readFilePart(request: FastifyRequest, reply: FastifyReply, maxBytes: number): Promise<Buffer | FastifyReply> {
  const limit = `must be at most ${maxBytes / 1024 / 1024} MB`;
  if (!request.isMultipart()) return sendError(reply, 'CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with the file in a part named "file".', { field: 'file', rule: 'must be sent as multipart/form-data' });
  let data: Buffer | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'file') {
        part.file.resume();
        return sendError(reply, 'CONVERSA_ERR_VALIDATION', `${part.fieldname}: unexpected file part; send the file in a part named "file"`, { field: part.fieldname, rule: 'only a part named "file" may carry a file' });
      }
      data = await part.toBuffer();
      if (data.length > maxBytes) return sendError(reply, 'CONVERSA_ERR_PAYLOAD_TOO_LARGE', `file: ${limit}`, { field: 'file', rule: limit });
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') return sendError(reply, 'CONVERSA_ERR_PAYLOAD_TOO_LARGE', `file: ${limit}`, { field: 'file', rule: limit });
    const message = error instanceof Error ? error.message : String(error);
    return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body: not valid multipart/form-data (${message})`, { field: 'body', rule: 'must be one part named "file" in complete multipart/form-data' });
  }
  if (!data) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'file: is required (a multipart part named "file")', { field: 'file', rule: 'is required' });
  return data;
}
