export namespace service {
	
	export class PingResult {
	    task_id: number;
	    echo: string;
	    hostname: string;
	    round_trip_ms: number;
	
	    static createFrom(source: any = {}) {
	        return new PingResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.task_id = source["task_id"];
	        this.echo = source["echo"];
	        this.hostname = source["hostname"];
	        this.round_trip_ms = source["round_trip_ms"];
	    }
	}
	export class Status {
	    version: string;
	    data_dir: string;
	    schema: number;
	    started_at: string;
	    servers: number;
	    jobs: number;
	    runs_running: number;
	    gateway_url: string;
	    ca_fingerprint: string;
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.data_dir = source["data_dir"];
	        this.schema = source["schema"];
	        this.started_at = source["started_at"];
	        this.servers = source["servers"];
	        this.jobs = source["jobs"];
	        this.runs_running = source["runs_running"];
	        this.gateway_url = source["gateway_url"];
	        this.ca_fingerprint = source["ca_fingerprint"];
	    }
	}
	export class TokenInfo {
	    token: string;
	    name: string;
	    expires_at: string;
	    install_command: string;
	    ca_fingerprint: string;
	    server_url: string;
	
	    static createFrom(source: any = {}) {
	        return new TokenInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.token = source["token"];
	        this.name = source["name"];
	        this.expires_at = source["expires_at"];
	        this.install_command = source["install_command"];
	        this.ca_fingerprint = source["ca_fingerprint"];
	        this.server_url = source["server_url"];
	    }
	}

}

export namespace store {
	
	export class Event {
	    id: number;
	    at: string;
	    kind: string;
	    subject: string;
	    message: string;
	    data?: any;
	
	    static createFrom(source: any = {}) {
	        return new Event(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.at = source["at"];
	        this.kind = source["kind"];
	        this.subject = source["subject"];
	        this.message = source["message"];
	        this.data = source["data"];
	    }
	}
	export class Job {
	    id: number;
	    server_id: number;
	    server_name: string;
	    name: string;
	    kind: string;
	    spec: string;
	    schedule: string;
	    enabled: boolean;
	    created_at: string;
	    updated_at: string;
	
	    static createFrom(source: any = {}) {
	        return new Job(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.server_id = source["server_id"];
	        this.server_name = source["server_name"];
	        this.name = source["name"];
	        this.kind = source["kind"];
	        this.spec = source["spec"];
	        this.schedule = source["schedule"];
	        this.enabled = source["enabled"];
	        this.created_at = source["created_at"];
	        this.updated_at = source["updated_at"];
	    }
	}
	export class Run {
	    id: number;
	    job_id: number;
	    job_name: string;
	    server_name: string;
	    status: string;
	    started_at: string;
	    finished_at?: string;
	    bytes: number;
	    files: number;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new Run(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.job_id = source["job_id"];
	        this.job_name = source["job_name"];
	        this.server_name = source["server_name"];
	        this.status = source["status"];
	        this.started_at = source["started_at"];
	        this.finished_at = source["finished_at"];
	        this.bytes = source["bytes"];
	        this.files = source["files"];
	        this.error = source["error"];
	    }
	}
	export class Server {
	    id: number;
	    uuid: string;
	    name: string;
	    host: string;
	    port: number;
	    user: string;
	    host_key_fingerprint: string;
	    status: string;
	    online: boolean;
	    last_seen?: string;
	    version: string;
	    protocol_version: number;
	    hostname: string;
	    cert_serial: string;
	    cert_not_after?: string;
	    revoked_at?: string;
	    capabilities: any;
	    metrics: any;
	    created_at: string;
	    updated_at: string;
	
	    static createFrom(source: any = {}) {
	        return new Server(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.uuid = source["uuid"];
	        this.name = source["name"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.user = source["user"];
	        this.host_key_fingerprint = source["host_key_fingerprint"];
	        this.status = source["status"];
	        this.online = source["online"];
	        this.last_seen = source["last_seen"];
	        this.version = source["version"];
	        this.protocol_version = source["protocol_version"];
	        this.hostname = source["hostname"];
	        this.cert_serial = source["cert_serial"];
	        this.cert_not_after = source["cert_not_after"];
	        this.revoked_at = source["revoked_at"];
	        this.capabilities = source["capabilities"];
	        this.metrics = source["metrics"];
	        this.created_at = source["created_at"];
	        this.updated_at = source["updated_at"];
	    }
	}
	export class Task {
	    id: number;
	    server_id: number;
	    server_name: string;
	    server_uuid: string;
	    type: string;
	    payload: any;
	    status: string;
	    created_at: string;
	    dispatched_at?: string;
	    started_at?: string;
	    finished_at?: string;
	    progress: any;
	    result: any;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new Task(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.server_id = source["server_id"];
	        this.server_name = source["server_name"];
	        this.server_uuid = source["server_uuid"];
	        this.type = source["type"];
	        this.payload = source["payload"];
	        this.status = source["status"];
	        this.created_at = source["created_at"];
	        this.dispatched_at = source["dispatched_at"];
	        this.started_at = source["started_at"];
	        this.finished_at = source["finished_at"];
	        this.progress = source["progress"];
	        this.result = source["result"];
	        this.error = source["error"];
	    }
	}

}

