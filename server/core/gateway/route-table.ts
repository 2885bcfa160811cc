/** Services as the gateway sees them, kept in memory and refreshed from core events (never per request). */
import type { DomainBus } from '../bus';
import type { TDatabase } from '../db/database';
import { toApiSpecs } from '../registry/api-specs';
import type { TModelConfig } from '../registry/config-schema';

export type TRoute = {
  serviceId: string;
  projectId: string;
  name: string;
  status: string;
  /** API url → the request Content-type it declares. */
  apis: Map<string, string>;
};

export class RouteTable {
  private readonly routes = new Map<string, TRoute>();

  constructor(
    private readonly db: TDatabase,
    bus: DomainBus,
  ) {
    const ids = db.prepare('SELECT id FROM services').all() as { id: string }[];
    for (const { id } of ids) this.refresh(id);
    bus.on('service.changed', ({ serviceId }) => this.refresh(serviceId));
  }

  get(serviceId: string): TRoute | undefined {
    return this.routes.get(serviceId);
  }

  private refresh(serviceId: string): void {
    const row = this.db
      .prepare('SELECT s.id, s.project_id, s.name, s.status, a.config FROM services s JOIN apps a ON a.id = s.app_id WHERE s.id = ?')
      .get(serviceId) as { id: string; project_id: string; name: string; status: string; config: string | null } | undefined;
    if (!row) {
      this.routes.delete(serviceId);
      return;
    }
    const specs = row.config ? toApiSpecs(JSON.parse(row.config) as TModelConfig) : [];
    this.routes.set(serviceId, {
      serviceId,
      projectId: row.project_id,
      name: row.name,
      status: row.status,
      apis: new Map(specs.map((s) => [s.url, s.requestContentType.split(';')[0].trim().toLowerCase()])),
    });
  }
}
