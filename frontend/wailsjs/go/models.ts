export namespace service {
	
	export class Status {
	    version: string;
	    dataDir: string;
	    schema: number;
	    startedAt: string;
	    servers: number;
	    jobs: number;
	    runsRunning: number;
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.dataDir = source["dataDir"];
	        this.schema = source["schema"];
	        this.startedAt = source["startedAt"];
	        this.servers = source["servers"];
	        this.jobs = source["jobs"];
	        this.runsRunning = source["runsRunning"];
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
	    serverId: number;
	    serverName: string;
	    name: string;
	    kind: string;
	    spec: string;
	    schedule: string;
	    enabled: boolean;
	    createdAt: string;
	    updatedAt: string;
	
	    static createFrom(source: any = {}) {
	        return new Job(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.serverId = source["serverId"];
	        this.serverName = source["serverName"];
	        this.name = source["name"];
	        this.kind = source["kind"];
	        this.spec = source["spec"];
	        this.schedule = source["schedule"];
	        this.enabled = source["enabled"];
	        this.createdAt = source["createdAt"];
	        this.updatedAt = source["updatedAt"];
	    }
	}
	export class Run {
	    id: number;
	    jobId: number;
	    jobName: string;
	    serverName: string;
	    status: string;
	    startedAt: string;
	    finishedAt?: string;
	    bytes: number;
	    files: number;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new Run(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.jobId = source["jobId"];
	        this.jobName = source["jobName"];
	        this.serverName = source["serverName"];
	        this.status = source["status"];
	        this.startedAt = source["startedAt"];
	        this.finishedAt = source["finishedAt"];
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
	    hostKeyFingerprint: string;
	    status: string;
	    lastSeenAt?: string;
	    createdAt: string;
	    updatedAt: string;
	
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
	        this.hostKeyFingerprint = source["hostKeyFingerprint"];
	        this.status = source["status"];
	        this.lastSeenAt = source["lastSeenAt"];
	        this.createdAt = source["createdAt"];
	        this.updatedAt = source["updatedAt"];
	    }
	}

}

