'use client';
/**
 * Prediction tab (guide §3.1.3): file pickers for `file` inputs; for JSON APIs a form built from the
 * request schema (typed inputs, checked before sending) with a switch to the raw JSON editor.
 * Requests go through the real gateway (/v1/infers/…) with the console session.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { exampleBody, fileFields } from '@/server/contracts/api-fields';
import type { TApiSpec } from '@/server/contracts/apps';
import { useI18n } from '../i18n/i18n-provider';
import { buildBody, formFields, valuesFrom, type TFieldError, type TFormField, type TFormValues } from './schema-form';

/** Guide §3.1.3: files under 8 MB of these types; JSON bodies at most 8 MB. */
const MAX_BYTES = 8 * 1024 * 1024;
const IMAGE_TYPES = ['png', 'psd', 'jpg', 'jpeg', 'bmp', 'gif', 'webp', 'svg', 'tiff'];

type TResult = { status: number; ms: number; body: string };

async function send(url: string, init: RequestInit): Promise<TResult> {
  const started = performance.now();
  const res = await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-anvil-console': '1' } });
  const text = await res.text();
  const ms = Math.round(performance.now() - started);
  let body = text;
  try {
    body = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    /* not JSON: show as is */
  }
  return { status: res.status, ms, body };
}

/** A request to put in the editor (a trace's "Replay in prediction tab"). */
export type TReplay = { apiUrl: string; body: string };

export function PredictionPanel({ serviceId, isRunning, apis, replay }: { serviceId: string; isRunning: boolean; apis: TApiSpec[]; replay?: TReplay }) {
  const { t } = useI18n();
  const [apiUrl, setApiUrl] = useState(replay && apis.some((a) => a.url === replay.apiUrl) ? replay.apiUrl : (apis[0]?.url ?? '/'));
  const api = apis.find((a) => a.url === apiUrl) ?? apis[0];
  const files = api ? fileFields(api.request) : [];
  const [json, setJson] = useState<Record<string, string>>(replay ? { [replay.apiUrl]: replay.body } : {});
  const [picked, setPicked] = useState<Record<string, File | undefined>>({});
  const [error, setError] = useState<string>();
  const [mode, setMode] = useState<'form' | 'raw'>(replay ? 'raw' : 'form');
  const [values, setValues] = useState<Record<string, TFormValues>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, TFieldError>>({});
  const predict = useMutation({ mutationFn: ({ url, init }: { url: string; init: RequestInit }) => send(url, init) });
  if (!api) return <p className="muted">{t('common.loading')}</p>;

  const text = json[api.url] ?? JSON.stringify(exampleBody(api.request), null, 2);
  const url = `/v1/infers/${serviceId}${api.url === '/' ? '' : api.url}`;
  const fields = files.length === 0 ? formFields(api.request) : null;
  const isForm = mode === 'form' && fields !== null;
  const formValues = values[api.url] ?? (fields ? valuesFrom(fields, exampleBody(api.request)) : {});

  function switchMode(next: 'form' | 'raw') {
    if (!fields || next === mode) return;
    setError(undefined);
    setFieldErrors({});
    if (next === 'raw') {
      const built = buildBody(fields, formValues);
      if ('body' in built) setJson({ ...json, [api.url]: JSON.stringify(built.body, null, 2) });
    } else {
      try {
        setValues({ ...values, [api.url]: valuesFrom(fields, JSON.parse(text)) });
      } catch {
        /* not JSON: the form keeps its own values */
      }
    }
    setMode(next);
  }

  function submit() {
    setError(undefined);
    if (files.length > 0) {
      const form = new FormData();
      for (const field of files) {
        const file = picked[field];
        if (!file) return setError(t('predict.chooseFile', { field }));
        const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
        if (!IMAGE_TYPES.includes(ext)) return setError(t('predict.fileType', { types: IMAGE_TYPES.join(', ') }));
        if (file.size >= MAX_BYTES) return setError(t('predict.fileTooLarge'));
        form.append(field, file, file.name);
      }
      return predict.mutate({ url, init: { method: api.method, body: form } });
    }
    if (isForm) {
      const built = buildBody(fields, formValues);
      if ('errors' in built) return setFieldErrors(built.errors);
      setFieldErrors({});
      return predict.mutate({ url, init: { method: api.method, body: JSON.stringify(built.body), headers: { 'content-type': 'application/json' } } });
    }
    try {
      JSON.parse(text);
    } catch (e) {
      return setError(t('predict.invalidJson', { error: (e as Error).message }));
    }
    if (new Blob([text]).size > MAX_BYTES) return setError(t('predict.jsonTooLarge'));
    predict.mutate({ url, init: { method: api.method, body: text, headers: { 'content-type': 'application/json' } } });
  }

  return (
    <div className="predict">
      {!isRunning && <p className="notice-bad">{t('predict.notRunning')}</p>}
      {apis.length > 1 && (
        <label className="input-row">
          {t('predict.api')}
          <select value={api.url} onChange={(e) => setApiUrl(e.target.value)}>
            {apis.map((a) => (
              <option key={a.url} value={a.url}>
                {a.method} {a.url}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="predict-grid">
        <div>
          <h4>{t('predict.request')}</h4>
          {files.length > 0 ? (
            files.map((field) => (
              <div key={field} className="field">
                <label className="field-label" htmlFor={`predict-file-${field}`}>
                  {field}
                </label>
                <input id={`predict-file-${field}`} type="file" accept={IMAGE_TYPES.map((x) => `.${x}`).join(',')} onChange={(e) => setPicked({ ...picked, [field]: e.target.files?.[0] })} />
              </div>
            ))
          ) : (
            <>
              {fields && (
                <div className="input-row" role="radiogroup" aria-label={t('predict.mode')}>
                  {(['form', 'raw'] as const).map((m) => (
                    <label key={m} className="radio">
                      <input type="radio" name="predict-mode" checked={mode === m} onChange={() => switchMode(m)} /> {t(`predict.mode.${m}`)}
                    </label>
                  ))}
                </div>
              )}
              {isForm ? (
                <SchemaForm fields={fields} values={formValues} errors={fieldErrors} onChange={(v) => setValues({ ...values, [api.url]: v })} />
              ) : (
                <textarea aria-label={t('predict.request')} className="code-editor" spellCheck={false} rows={16} value={text} onChange={(e) => setJson({ ...json, [api.url]: e.target.value })} />
              )}
            </>
          )}
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="button" className="btn btn-primary" disabled={!isRunning || predict.isPending} onClick={submit}>
            {predict.isPending ? t('predict.running') : t('predict.submit')}
          </button>
        </div>
        <div>
          <h4>{t('predict.response')}</h4>
          {predict.data && (
            <div data-testid="predict-result">
              <p className={predict.data.status < 300 ? 'notice-ok' : 'notice-bad'} data-testid="predict-status">
                {t('predict.status', { status: predict.data.status, ms: predict.data.ms })}
              </p>
              <pre className="code-block-pre" data-testid="predict-body">
                {predict.data.body}
              </pre>
            </div>
          )}
          {predict.error && <p className="notice-bad">{t('predict.networkError', { error: predict.error.message })}</p>}
        </div>
      </div>
    </div>
  );
}

/** One labelled input per field of the request schema, with its error under it. */
function SchemaForm({ fields, values, errors, onChange }: { fields: TFormField[]; values: TFormValues; errors: Record<string, TFieldError>; onChange: (values: TFormValues) => void }) {
  const { t } = useI18n();
  const set = (name: string, value: string | boolean) => onChange({ ...values, [name]: value });
  return (
    <div className="schema-form" data-testid="predict-form">
      {fields.map((f) => {
        const id = `predict-field-${f.name}`;
        const error = errors[f.name];
        const value = values[f.name];
        return (
          <div key={f.name} className="field">
            <label className="field-label" htmlFor={id}>
              <span className="mono">{f.name}</span> <span className="muted">{f.type}{f.required ? ` · ${t('common.required')}` : ''}</span>
            </label>
            {f.type === 'boolean' ? (
              <input id={id} type="checkbox" checked={value === true} onChange={(e) => set(f.name, e.target.checked)} />
            ) : f.options ? (
              <select id={id} value={typeof value === 'string' ? value : ''} onChange={(e) => set(f.name, e.target.value)} aria-invalid={!!error}>
                <option value="">—</option>
                {f.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id} type="text" inputMode={f.type === 'string' ? 'text' : 'decimal'} value={typeof value === 'string' ? value : ''}
                onChange={(e) => set(f.name, e.target.value)} aria-invalid={!!error}
              />
            )}
            {f.description && <p className="muted">{f.description}</p>}
            {error && (
              <p className="field-error" role="alert">
                {t(`predict.fieldError.${error}`, { minimum: f.minimum ?? '', maximum: f.maximum ?? '' })}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}
