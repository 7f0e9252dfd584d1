export namespace agentapi {
	
	export class FlxSpec {
	    profile: string;
	    type?: string;
	    keep_secrets?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new FlxSpec(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.profile = source["profile"];
	        this.type = source["type"];
	        this.keep_secrets = source["keep_secrets"];
	    }
	}
	export class LVMSpec {
	    volume_group: string;
	    volume: string;
	    snapshot_size?: string;
	    paths?: string[];
	
	    static createFrom(source: any = {}) {
	        return new LVMSpec(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.volume_group = source["volume_group"];
	        this.volume = source["volume"];
	        this.snapshot_size = source["snapshot_size"];
	        this.paths = source["paths"];
	    }
	}
	export class DockerSpec {
	    containers: string[];
	    stop_during?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DockerSpec(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.containers = source["containers"];
	        this.stop_during = source["stop_during"];
	    }
	}
	export class MongoSpec {
	    uri_file?: string;
	    database?: string;
	
	    static createFrom(source: any = {}) {
	        return new MongoSpec(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.uri_file = source["uri_file"];
	        this.database = source["database"];
	    }
	}
	export class PostgresSpec {
	    databases?: string[];
	    host?: string;
	    port?: number;
	    user?: string;
	    pass_file?: string;
	    os_user?: string;
	
	    static createFrom(source: any = {}) {
	        return new PostgresSpec(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.databases = source["databases"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.user = source["user"];
	        this.pass_file = source["pass_file"];
	        this.os_user = source["os_user"];
	    }
	}
	export class MySQLSpec {
	    databases?: string[];
	    defaults_file?: string;
	    host?: string;
	    port?: number;
	
	    static createFrom(source: any = {}) {
	        return new MySQLSpec(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.databases = source["databases"];
	        this.defaults_file = source["defaults_file"];
	        this.host = source["host"];
	        this.port = source["port"];
	    }
	}
	export class BackupSpec {
	    kind: string;
	    paths?: string[];
	    excludes?: string[];
	    one_file_system?: boolean;
	    compression?: string;
	    checkpoint_interval?: number;
	    mysql?: MySQLSpec;
	    postgres?: PostgresSpec;
	    mongo?: MongoSpec;
	    docker?: DockerSpec;
	    lvm?: LVMSpec;
	    flx?: FlxSpec;
	    pre?: string[][];
	    post?: string[][];
	
	    static createFrom(source: any = {}) {
	        return new BackupSpec(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.paths = source["paths"];
	        this.excludes = source["excludes"];
	        this.one_file_system = source["one_file_system"];
	        this.compression = source["compression"];
	        this.checkpoint_interval = source["checkpoint_interval"];
	        this.mysql = this.convertValues(source["mysql"], MySQLSpec);
	        this.postgres = this.convertValues(source["postgres"], PostgresSpec);
	        this.mongo = this.convertValues(source["mongo"], MongoSpec);
	        this.docker = this.convertValues(source["docker"], DockerSpec);
	        this.lvm = this.convertValues(source["lvm"], LVMSpec);
	        this.flx = this.convertValues(source["flx"], FlxSpec);
	        this.pre = source["pre"];
	        this.post = source["post"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	
	
	

}

export namespace archives {
	
	export class ArchiveInfo {
	    name: string;
	    id: string;
	    time: string;
	    job: string;
	    files: number;
	    bytes: number;
	    deduplicated: number;
	    duration_sec: number;
	    indexed: boolean;
	    dumps: string[];
	    keep_forever: boolean;
	    comment: string;
	
	    static createFrom(source: any = {}) {
	        return new ArchiveInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.id = source["id"];
	        this.time = source["time"];
	        this.job = source["job"];
	        this.files = source["files"];
	        this.bytes = source["bytes"];
	        this.deduplicated = source["deduplicated"];
	        this.duration_sec = source["duration_sec"];
	        this.indexed = source["indexed"];
	        this.dumps = source["dumps"];
	        this.keep_forever = source["keep_forever"];
	        this.comment = source["comment"];
	    }
	}
	export class CompareSide {
	    archive: string;
	    size: number;
	    mtime: string;
	
	    static createFrom(source: any = {}) {
	        return new CompareSide(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.archive = source["archive"];
	        this.size = source["size"];
	        this.mtime = source["mtime"];
	    }
	}
	export class FileComparison {
	    server: string;
	    path: string;
	    from: CompareSide;
	    to: CompareSide;
	    identical: boolean;
	    binary: boolean;
	    too_large: boolean;
	    limit: number;
	    diff: string;
	    added: number;
	    removed: number;
	
	    static createFrom(source: any = {}) {
	        return new FileComparison(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.path = source["path"];
	        this.from = this.convertValues(source["from"], CompareSide);
	        this.to = this.convertValues(source["to"], CompareSide);
	        this.identical = source["identical"];
	        this.binary = source["binary"];
	        this.too_large = source["too_large"];
	        this.limit = source["limit"];
	        this.diff = source["diff"];
	        this.added = source["added"];
	        this.removed = source["removed"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Preview {
	    path: string;
	    size: number;
	    text: string;
	    binary: boolean;
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Preview(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.size = source["size"];
	        this.text = source["text"];
	        this.binary = source["binary"];
	        this.truncated = source["truncated"];
	    }
	}
	export class PruneReport {
	    kept: string[];
	    pruned: string[];
	    missing?: string[];
	    protected?: string[];
	
	    static createFrom(source: any = {}) {
	        return new PruneReport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kept = source["kept"];
	        this.pruned = source["pruned"];
	        this.missing = source["missing"];
	        this.protected = source["protected"];
	    }
	}

}

export namespace borg {
	
	export class Keep {
	    within?: string;
	    daily?: number;
	    weekly?: number;
	    monthly?: number;
	    yearly?: number;
	
	    static createFrom(source: any = {}) {
	        return new Keep(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.within = source["within"];
	        this.daily = source["daily"];
	        this.weekly = source["weekly"];
	        this.monthly = source["monthly"];
	        this.yearly = source["yearly"];
	    }
	}

}

export namespace catalog {
	
	export class Entry {
	    name: string;
	    path: string;
	    type: string;
	    size: number;
	    mtime: string;
	    mode: string;
	    user: string;
	    group: string;
	    link_target?: string;
	    children: number;
	
	    static createFrom(source: any = {}) {
	        return new Entry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.path = source["path"];
	        this.type = source["type"];
	        this.size = source["size"];
	        this.mtime = source["mtime"];
	        this.mode = source["mode"];
	        this.user = source["user"];
	        this.group = source["group"];
	        this.link_target = source["link_target"];
	        this.children = source["children"];
	    }
	}
	export class Version {
	    archive: string;
	    time: string;
	    size: number;
	    mtime: string;
	    snapshot?: boolean;
	    file?: string;
	
	    static createFrom(source: any = {}) {
	        return new Version(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.archive = source["archive"];
	        this.time = source["time"];
	        this.size = source["size"];
	        this.mtime = source["mtime"];
	        this.snapshot = source["snapshot"];
	        this.file = source["file"];
	    }
	}
	export class Hit {
	    server_uuid: string;
	    server_name: string;
	    path: string;
	    type: string;
	    versions: Version[];
	
	    static createFrom(source: any = {}) {
	        return new Hit(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server_uuid = source["server_uuid"];
	        this.server_name = source["server_name"];
	        this.path = source["path"];
	        this.type = source["type"];
	        this.versions = this.convertValues(source["versions"], Version);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Listing {
	    archive: string;
	    dir: string;
	    entries: Entry[];
	    total: number;
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Listing(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.archive = source["archive"];
	        this.dir = source["dir"];
	        this.entries = this.convertValues(source["entries"], Entry);
	        this.total = source["total"];
	        this.truncated = source["truncated"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace datadir {
	
	export class Info {
	    in_use: string;
	    from: string;
	    next: string;
	    next_from: string;
	    next_error: string;
	    next_has_data: boolean;
	    configured: string;
	    config_file: string;
	    default: string;
	
	    static createFrom(source: any = {}) {
	        return new Info(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.in_use = source["in_use"];
	        this.from = source["from"];
	        this.next = source["next"];
	        this.next_from = source["next_from"];
	        this.next_error = source["next_error"];
	        this.next_has_data = source["next_has_data"];
	        this.configured = source["configured"];
	        this.config_file = source["config_file"];
	        this.default = source["default"];
	    }
	}

}

export namespace events {
	
	export class Page {
	    events: store.Event[];
	    next: number;
	
	    static createFrom(source: any = {}) {
	        return new Page(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.events = this.convertValues(source["events"], store.Event);
	        this.next = source["next"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Query {
	    server?: string;
	    job?: string;
	    kinds?: string[];
	    severity?: string;
	    from?: string;
	    until?: string;
	    search?: string;
	    before?: number;
	    limit?: number;
	
	    static createFrom(source: any = {}) {
	        return new Query(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.job = source["job"];
	        this.kinds = source["kinds"];
	        this.severity = source["severity"];
	        this.from = source["from"];
	        this.until = source["until"];
	        this.search = source["search"];
	        this.before = source["before"];
	        this.limit = source["limit"];
	    }
	}

}

export namespace fleet {
	
	export class EnrollmentToken {
	    id: number;
	    name: string;
	    state: string;
	    created_at: string;
	    expires_at: string;
	    used_at?: string;
	    server_uuid: string;
	
	    static createFrom(source: any = {}) {
	        return new EnrollmentToken(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.state = source["state"];
	        this.created_at = source["created_at"];
	        this.expires_at = source["expires_at"];
	        this.used_at = source["used_at"];
	        this.server_uuid = source["server_uuid"];
	    }
	}
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
	export class TokenInfo {
	    token: string;
	    name: string;
	    expires_at: string;
	    install_command: string;
	    enroll_command: string;
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
	        this.enroll_command = source["enroll_command"];
	        this.ca_fingerprint = source["ca_fingerprint"];
	        this.server_url = source["server_url"];
	    }
	}

}

export namespace flx {
	
	export class DiffEntry {
	    path: string;
	    status: string;
	
	    static createFrom(source: any = {}) {
	        return new DiffEntry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.status = source["status"];
	    }
	}
	export class Entry {
	    path: string;
	    hash: string;
	    size: number;
	    mode?: string;
	    owner?: string;
	    mtime?: string;
	    home?: boolean;
	    member?: string;
	
	    static createFrom(source: any = {}) {
	        return new Entry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.hash = source["hash"];
	        this.size = source["size"];
	        this.mode = source["mode"];
	        this.owner = source["owner"];
	        this.mtime = source["mtime"];
	        this.home = source["home"];
	        this.member = source["member"];
	    }
	}
	export class Redaction {
	    file: string;
	    rule: string;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new Redaction(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.file = source["file"];
	        this.rule = source["rule"];
	        this.count = source["count"];
	    }
	}
	export class Meta {
	    version: string;
	    backup_type: string;
	    created: string;
	    flexpbx_version?: string;
	    producer?: string;
	    sensitive_data_included: boolean;
	    includes?: Record<string, boolean>;
	    file_count: number;
	    source_root?: string;
	    source_home?: string;
	    default_settings?: number[];
	    user_template?: number[];
	    admin_template?: number[];
	    schemas?: number[];
	    redaction_report?: Redaction[];
	    rollback_created?: string[];
	    layout?: string;
	    account?: string;
	    container?: string;
	    no_file_hashes?: boolean;
	    notes?: string[];
	
	    static createFrom(source: any = {}) {
	        return new Meta(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.backup_type = source["backup_type"];
	        this.created = source["created"];
	        this.flexpbx_version = source["flexpbx_version"];
	        this.producer = source["producer"];
	        this.sensitive_data_included = source["sensitive_data_included"];
	        this.includes = source["includes"];
	        this.file_count = source["file_count"];
	        this.source_root = source["source_root"];
	        this.source_home = source["source_home"];
	        this.default_settings = source["default_settings"];
	        this.user_template = source["user_template"];
	        this.admin_template = source["admin_template"];
	        this.schemas = source["schemas"];
	        this.redaction_report = this.convertValues(source["redaction_report"], Redaction);
	        this.rollback_created = source["rollback_created"];
	        this.layout = source["layout"];
	        this.account = source["account"];
	        this.container = source["container"];
	        this.no_file_hashes = source["no_file_hashes"];
	        this.notes = source["notes"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Inspection {
	    meta?: Meta;
	    files: Entry[];
	    bytes: number;
	    verified: boolean;
	    error?: string;
	    files_total: number;
	    files_offset?: number;
	    files_more?: number;
	
	    static createFrom(source: any = {}) {
	        return new Inspection(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.meta = this.convertValues(source["meta"], Meta);
	        this.files = this.convertValues(source["files"], Entry);
	        this.bytes = source["bytes"];
	        this.verified = source["verified"];
	        this.error = source["error"];
	        this.files_total = source["files_total"];
	        this.files_offset = source["files_offset"];
	        this.files_more = source["files_more"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	

}

export namespace health {
	
	export class Job {
	    id: number;
	    name: string;
	    state: string;
	    last_success?: string;
	    last_status: string;
	
	    static createFrom(source: any = {}) {
	        return new Job(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.state = source["state"];
	        this.last_success = source["last_success"];
	        this.last_status = source["last_status"];
	    }
	}
	export class Issue {
	    code: string;
	    state: string;
	    job?: string;
	    job_id?: number;
	    since?: string;
	    detail?: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new Issue(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.code = source["code"];
	        this.state = source["state"];
	        this.job = source["job"];
	        this.job_id = source["job_id"];
	        this.since = source["since"];
	        this.detail = source["detail"];
	        this.text = source["text"];
	    }
	}
	export class Server {
	    id: number;
	    uuid: string;
	    name: string;
	    state: string;
	    reasons: string[];
	    issues: Issue[];
	    jobs: Job[];
	    past_rpo: boolean;
	    last_backup?: string;
	    rpo_hours: number;
	    online: boolean;
	    last_verified_at?: string;
	    cert_not_after?: string;
	
	    static createFrom(source: any = {}) {
	        return new Server(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.uuid = source["uuid"];
	        this.name = source["name"];
	        this.state = source["state"];
	        this.reasons = source["reasons"];
	        this.issues = this.convertValues(source["issues"], Issue);
	        this.jobs = this.convertValues(source["jobs"], Job);
	        this.past_rpo = source["past_rpo"];
	        this.last_backup = source["last_backup"];
	        this.rpo_hours = source["rpo_hours"];
	        this.online = source["online"];
	        this.last_verified_at = source["last_verified_at"];
	        this.cert_not_after = source["cert_not_after"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Fleet {
	    state: string;
	    green: number;
	    amber: number;
	    red: number;
	    summary: string;
	    servers: Server[];
	
	    static createFrom(source: any = {}) {
	        return new Fleet(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.state = source["state"];
	        this.green = source["green"];
	        this.amber = source["amber"];
	        this.red = source["red"];
	        this.summary = source["summary"];
	        this.servers = this.convertValues(source["servers"], Server);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	

}

export namespace jobs {
	
	export class DeleteReport {
	    job: store.Job;
	    archives_deleted: string[];
	    archives_kept: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DeleteReport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.job = this.convertValues(source["job"], store.Job);
	        this.archives_deleted = source["archives_deleted"];
	        this.archives_kept = source["archives_kept"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Description {
	    kind: string;
	    every?: number;
	    minute?: number;
	    at?: string;
	    days?: number[];
	    day?: number;
	    zone?: string;
	    expr: string;
	
	    static createFrom(source: any = {}) {
	        return new Description(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.every = source["every"];
	        this.minute = source["minute"];
	        this.at = source["at"];
	        this.days = source["days"];
	        this.day = source["day"];
	        this.zone = source["zone"];
	        this.expr = source["expr"];
	    }
	}
	export class FieldChange {
	    field: string;
	    from: string;
	    to: string;
	
	    static createFrom(source: any = {}) {
	        return new FieldChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.field = source["field"];
	        this.from = source["from"];
	        this.to = source["to"];
	    }
	}
	export class EditResult {
	    job: store.Job;
	    changes: FieldChange[];
	    applied: boolean;
	
	    static createFrom(source: any = {}) {
	        return new EditResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.job = this.convertValues(source["job"], store.Job);
	        this.changes = this.convertValues(source["changes"], FieldChange);
	        this.applied = source["applied"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Input {
	    server: string;
	    name: string;
	    spec: agentapi.BackupSpec;
	    schedule: string;
	    keep: borg.Keep;
	    notify_success: boolean;
	    version?: string;
	
	    static createFrom(source: any = {}) {
	        return new Input(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.name = source["name"];
	        this.spec = this.convertValues(source["spec"], agentapi.BackupSpec);
	        this.schedule = source["schedule"];
	        this.keep = this.convertValues(source["keep"], borg.Keep);
	        this.notify_success = source["notify_success"];
	        this.version = source["version"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class JobView {
	    id: number;
	    server_id: number;
	    server_name: string;
	    name: string;
	    kind: string;
	    spec: string;
	    schedule: string;
	    enabled: boolean;
	    keep: string;
	    last_scheduled_at?: string;
	    drill_schedule: string;
	    last_drill_at?: string;
	    notify_success: boolean;
	    server_uuid: string;
	    created_at: string;
	    updated_at: string;
	    schedule_description: Description;
	    next_run?: string;
	    last_scheduled?: string;
	    schedules_paused: boolean;
	
	    static createFrom(source: any = {}) {
	        return new JobView(source);
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
	        this.keep = source["keep"];
	        this.last_scheduled_at = source["last_scheduled_at"];
	        this.drill_schedule = source["drill_schedule"];
	        this.last_drill_at = source["last_drill_at"];
	        this.notify_success = source["notify_success"];
	        this.server_uuid = source["server_uuid"];
	        this.created_at = source["created_at"];
	        this.updated_at = source["updated_at"];
	        this.schedule_description = this.convertValues(source["schedule_description"], Description);
	        this.next_run = source["next_run"];
	        this.last_scheduled = source["last_scheduled"];
	        this.schedules_paused = source["schedules_paused"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ScheduleDescription {
	    kind: string;
	    every?: number;
	    minute?: number;
	    at?: string;
	    days?: number[];
	    day?: number;
	    zone?: string;
	    expr: string;
	    next: string[];
	    error?: string;
	    gap_seconds: number;
	    gap_after?: string;
	    rpo_seconds: number;
	    misses_rpo: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ScheduleDescription(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.every = source["every"];
	        this.minute = source["minute"];
	        this.at = source["at"];
	        this.days = source["days"];
	        this.day = source["day"];
	        this.zone = source["zone"];
	        this.expr = source["expr"];
	        this.next = source["next"];
	        this.error = source["error"];
	        this.gap_seconds = source["gap_seconds"];
	        this.gap_after = source["gap_after"];
	        this.rpo_seconds = source["rpo_seconds"];
	        this.misses_rpo = source["misses_rpo"];
	    }
	}
	export class ServerBackup {
	    server: string;
	    runs: store.Run[];
	    paused: string[];
	
	    static createFrom(source: any = {}) {
	        return new ServerBackup(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.runs = this.convertValues(source["runs"], store.Run);
	        this.paused = source["paused"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace mail {
	
	export class Status {
	    pending: number;
	    sent: number;
	    last_error: string;
	    last_attempt: string;
	    outbox: string;
	    sent_path: string;
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.pending = source["pending"];
	        this.sent = source["sent"];
	        this.last_error = source["last_error"];
	        this.last_attempt = source["last_attempt"];
	        this.outbox = source["outbox"];
	        this.sent_path = source["sent_path"];
	    }
	}

}

export namespace metrics {
	
	export class RepoStorage {
	    uuid: string;
	    name: string;
	    bytes: number;
	    history: store.SizePoint[];
	
	    static createFrom(source: any = {}) {
	        return new RepoStorage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.uuid = source["uuid"];
	        this.name = source["name"];
	        this.bytes = source["bytes"];
	        this.history = this.convertValues(source["history"], store.SizePoint);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Storage {
	    disk_path: string;
	    disk_total: number;
	    disk_free: number;
	    disk_used: number;
	    reserve_bytes: number;
	    repos_bytes: number;
	    forecast_full_at: string;
	    servers: RepoStorage[];
	
	    static createFrom(source: any = {}) {
	        return new Storage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.disk_path = source["disk_path"];
	        this.disk_total = source["disk_total"];
	        this.disk_free = source["disk_free"];
	        this.disk_used = source["disk_used"];
	        this.reserve_bytes = source["reserve_bytes"];
	        this.repos_bytes = source["repos_bytes"];
	        this.forecast_full_at = source["forecast_full_at"];
	        this.servers = this.convertValues(source["servers"], RepoStorage);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace mounts {
	
	export class Mount {
	    dir: string;
	    kind: string;
	    server?: string;
	    archive?: string;
	    source: string;
	    since: string;
	    warning?: string;
	
	    static createFrom(source: any = {}) {
	        return new Mount(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.dir = source["dir"];
	        this.kind = source["kind"];
	        this.server = source["server"];
	        this.archive = source["archive"];
	        this.source = source["source"];
	        this.since = source["since"];
	        this.warning = source["warning"];
	    }
	}

}

export namespace recoverykit {
	
	export class Repository {
	    uuid: string;
	    server?: string;
	    passphrase: boolean;
	    key_export: boolean;
	    key_error?: string;
	
	    static createFrom(source: any = {}) {
	        return new Repository(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.uuid = source["uuid"];
	        this.server = source["server"];
	        this.passphrase = source["passphrase"];
	        this.key_export = source["key_export"];
	        this.key_error = source["key_error"];
	    }
	}
	export class Manifest {
	    format: number;
	    borgdesk_version: string;
	    created_at: string;
	    schema: number;
	    data_dir: string;
	    ca_fingerprint: string;
	    gateway_url: string;
	    borg_ssh?: string;
	    servers: number;
	    repositories: Repository[];
	    files: number;
	    bytes: number;
	    secrets_digest: string;
	
	    static createFrom(source: any = {}) {
	        return new Manifest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.format = source["format"];
	        this.borgdesk_version = source["borgdesk_version"];
	        this.created_at = source["created_at"];
	        this.schema = source["schema"];
	        this.data_dir = source["data_dir"];
	        this.ca_fingerprint = source["ca_fingerprint"];
	        this.gateway_url = source["gateway_url"];
	        this.borg_ssh = source["borg_ssh"];
	        this.servers = source["servers"];
	        this.repositories = this.convertValues(source["repositories"], Repository);
	        this.files = source["files"];
	        this.bytes = source["bytes"];
	        this.secrets_digest = source["secrets_digest"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class KitExport {
	    path: string;
	    size: number;
	    created_at: string;
	    manifest: Manifest;
	    warnings: string[];
	
	    static createFrom(source: any = {}) {
	        return new KitExport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.size = source["size"];
	        this.created_at = source["created_at"];
	        this.manifest = this.convertValues(source["manifest"], Manifest);
	        this.warnings = source["warnings"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class KitStatus {
	    last_export?: string;
	    last_path: string;
	    stale: boolean;
	    new_servers: string[];
	    secrets_changed: boolean;
	
	    static createFrom(source: any = {}) {
	        return new KitStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.last_export = source["last_export"];
	        this.last_path = source["last_path"];
	        this.stale = source["stale"];
	        this.new_servers = source["new_servers"];
	        this.secrets_changed = source["secrets_changed"];
	    }
	}
	

}

export namespace replicas {
	
	export class HostKey {
	    type: string;
	    fingerprint: string;
	    file: string;
	    address: string;
	    pinned: string;
	
	    static createFrom(source: any = {}) {
	        return new HostKey(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.type = source["type"];
	        this.fingerprint = source["fingerprint"];
	        this.file = source["file"];
	        this.address = source["address"];
	        this.pinned = source["pinned"];
	    }
	}
	export class S3Input {
	    endpoint: string;
	    bucket: string;
	    prefix: string;
	    region: string;
	    access_key_id: string;
	    secret_key?: string;
	
	    static createFrom(source: any = {}) {
	        return new S3Input(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.endpoint = source["endpoint"];
	        this.bucket = source["bucket"];
	        this.prefix = source["prefix"];
	        this.region = source["region"];
	        this.access_key_id = source["access_key_id"];
	        this.secret_key = source["secret_key"];
	    }
	}
	export class Input {
	    server: string;
	    sftp?: string;
	    accept_host_key?: string;
	    s3?: S3Input;
	    dir?: string;
	    after_backup: boolean;
	    schedule: string;
	
	    static createFrom(source: any = {}) {
	        return new Input(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.sftp = source["sftp"];
	        this.accept_host_key = source["accept_host_key"];
	        this.s3 = this.convertValues(source["s3"], S3Input);
	        this.dir = source["dir"];
	        this.after_backup = source["after_backup"];
	        this.schedule = source["schedule"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Status {
	    server_id: number;
	    server_uuid: string;
	    server_name: string;
	    kind: string;
	    after_backup: boolean;
	    schedule: string;
	    last_scheduled_at?: string;
	    status: string;
	    error: string;
	    reason: string;
	    archives: string[];
	    last_attempt_at?: string;
	    last_success_at?: string;
	    bytes: number;
	    files: number;
	    transferred: number;
	    duration_ms: number;
	    verified: string;
	    created_at: string;
	    updated_at: string;
	    target: replicate.Target;
	    display: string;
	    location: string;
	    state: string;
	    summary: string;
	    behind: number;
	    running: boolean;
	    public_key?: string;
	    host_key_fingerprint?: string;
	    secret_set: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server_id = source["server_id"];
	        this.server_uuid = source["server_uuid"];
	        this.server_name = source["server_name"];
	        this.kind = source["kind"];
	        this.after_backup = source["after_backup"];
	        this.schedule = source["schedule"];
	        this.last_scheduled_at = source["last_scheduled_at"];
	        this.status = source["status"];
	        this.error = source["error"];
	        this.reason = source["reason"];
	        this.archives = source["archives"];
	        this.last_attempt_at = source["last_attempt_at"];
	        this.last_success_at = source["last_success_at"];
	        this.bytes = source["bytes"];
	        this.files = source["files"];
	        this.transferred = source["transferred"];
	        this.duration_ms = source["duration_ms"];
	        this.verified = source["verified"];
	        this.created_at = source["created_at"];
	        this.updated_at = source["updated_at"];
	        this.target = this.convertValues(source["target"], replicate.Target);
	        this.display = source["display"];
	        this.location = source["location"];
	        this.state = source["state"];
	        this.summary = source["summary"];
	        this.behind = source["behind"];
	        this.running = source["running"];
	        this.public_key = source["public_key"];
	        this.host_key_fingerprint = source["host_key_fingerprint"];
	        this.secret_set = source["secret_set"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace replicate {
	
	export class Target {
	    kind: string;
	    host?: string;
	    port?: number;
	    user?: string;
	    path?: string;
	    endpoint?: string;
	    bucket?: string;
	    region?: string;
	    access_key_id?: string;
	
	    static createFrom(source: any = {}) {
	        return new Target(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.user = source["user"];
	        this.path = source["path"];
	        this.endpoint = source["endpoint"];
	        this.bucket = source["bucket"];
	        this.region = source["region"];
	        this.access_key_id = source["access_key_id"];
	    }
	}

}

export namespace restores {
	
	export class DBRequest {
	    server: string;
	    archive: string;
	    dump: string;
	    mode: string;
	    database: string;
	    confirm: string;
	    target_server: string;
	
	    static createFrom(source: any = {}) {
	        return new DBRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.archive = source["archive"];
	        this.dump = source["dump"];
	        this.mode = source["mode"];
	        this.database = source["database"];
	        this.confirm = source["confirm"];
	        this.target_server = source["target_server"];
	    }
	}
	export class Landing {
	    path: string;
	    final: string;
	
	    static createFrom(source: any = {}) {
	        return new Landing(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.final = source["final"];
	    }
	}
	export class Plan {
	    files: number;
	    bytes: number;
	    to: string;
	    target: string;
	    landing: Landing[];
	
	    static createFrom(source: any = {}) {
	        return new Plan(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.files = source["files"];
	        this.bytes = source["bytes"];
	        this.to = source["to"];
	        this.target = source["target"];
	        this.landing = this.convertValues(source["landing"], Landing);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Request {
	    server: string;
	    archive: string;
	    paths: string[];
	    to: string;
	    target_server: string;
	    policy: string;
	    keep_setuid: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Request(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.archive = source["archive"];
	        this.paths = source["paths"];
	        this.to = source["to"];
	        this.target_server = source["target_server"];
	        this.policy = source["policy"];
	        this.keep_setuid = source["keep_setuid"];
	    }
	}

}

export namespace rollout {
	
	export class HostKey {
	    host: string;
	    port: number;
	    type: string;
	    fingerprint: string;
	    known: boolean;
	    changed: boolean;
	    pinned?: string;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new HostKey(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.host = source["host"];
	        this.port = source["port"];
	        this.type = source["type"];
	        this.fingerprint = source["fingerprint"];
	        this.known = source["known"];
	        this.changed = source["changed"];
	        this.pinned = source["pinned"];
	        this.error = source["error"];
	    }
	}
	export class HostState {
	    host: string;
	    port: number;
	    user: string;
	    name: string;
	    step: string;
	    status: string;
	    message: string;
	    fingerprint?: string;
	    server_uuid?: string;
	    init?: string;
	    started_at?: string;
	    finished_at?: string;
	
	    static createFrom(source: any = {}) {
	        return new HostState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.host = source["host"];
	        this.port = source["port"];
	        this.user = source["user"];
	        this.name = source["name"];
	        this.step = source["step"];
	        this.status = source["status"];
	        this.message = source["message"];
	        this.fingerprint = source["fingerprint"];
	        this.server_uuid = source["server_uuid"];
	        this.init = source["init"];
	        this.started_at = source["started_at"];
	        this.finished_at = source["finished_at"];
	    }
	}
	export class Target {
	    host: string;
	    port: number;
	    user: string;
	    name: string;
	
	    static createFrom(source: any = {}) {
	        return new Target(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.host = source["host"];
	        this.port = source["port"];
	        this.user = source["user"];
	        this.name = source["name"];
	    }
	}
	export class Request {
	    targets: Target[];
	    password?: string;
	    key?: string;
	    key_passphrase?: string;
	    sudo_password?: string;
	    accept_host_keys?: Record<string, string>;
	    concurrency?: number;
	
	    static createFrom(source: any = {}) {
	        return new Request(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.targets = this.convertValues(source["targets"], Target);
	        this.password = source["password"];
	        this.key = source["key"];
	        this.key_passphrase = source["key_passphrase"];
	        this.sudo_password = source["sudo_password"];
	        this.accept_host_keys = source["accept_host_keys"];
	        this.concurrency = source["concurrency"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Rollout {
	    id: string;
	    hosts: HostState[];
	    done: boolean;
	    started_at: string;
	
	    static createFrom(source: any = {}) {
	        return new Rollout(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.hosts = this.convertValues(source["hosts"], HostState);
	        this.done = source["done"];
	        this.started_at = source["started_at"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class UninstallRequest {
	    server: string;
	    host: string;
	    port: number;
	    user: string;
	    password?: string;
	    key?: string;
	    key_passphrase?: string;
	    sudo_password?: string;
	    accept_host_key?: string;
	
	    static createFrom(source: any = {}) {
	        return new UninstallRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.user = source["user"];
	        this.password = source["password"];
	        this.key = source["key"];
	        this.key_passphrase = source["key_passphrase"];
	        this.sudo_password = source["sudo_password"];
	        this.accept_host_key = source["accept_host_key"];
	    }
	}

}

export namespace service {
	
	export class ArchiveDeleted {
	    server: string;
	    archive: string;
	    freed_bytes: number;
	
	    static createFrom(source: any = {}) {
	        return new ArchiveDeleted(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.archive = source["archive"];
	        this.freed_bytes = source["freed_bytes"];
	    }
	}
	export class ArchiveRename {
	    server: string;
	    archive: string;
	    new_name: string;
	    comment?: string;
	
	    static createFrom(source: any = {}) {
	        return new ArchiveRename(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.archive = source["archive"];
	        this.new_name = source["new_name"];
	        this.comment = source["comment"];
	    }
	}
	export class ArchiveRenamed {
	    server: string;
	    archive: string;
	    comment: string;
	    note?: string;
	
	    static createFrom(source: any = {}) {
	        return new ArchiveRenamed(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.archive = source["archive"];
	        this.comment = source["comment"];
	        this.note = source["note"];
	    }
	}
	export class Digest {
	    to: string[];
	    subject: string;
	    text: string;
	    queued: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Digest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.to = source["to"];
	        this.subject = source["subject"];
	        this.text = source["text"];
	        this.queued = source["queued"];
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
	    addresses: settings.Address[];
	
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
	        this.addresses = this.convertValues(source["addresses"], settings.Address);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace settings {
	
	export class Address {
	    key: string;
	    in_use: string;
	    from: string;
	    setting: string;
	
	    static createFrom(source: any = {}) {
	        return new Address(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.in_use = source["in_use"];
	        this.from = source["from"];
	        this.setting = source["setting"];
	    }
	}

}

export namespace snapshots {
	
	export class File {
	    id: string;
	    name: string;
	    source: string;
	    size: number;
	    inspection?: flx.Inspection;
	
	    static createFrom(source: any = {}) {
	        return new File(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.source = source["source"];
	        this.size = source["size"];
	        this.inspection = this.convertValues(source["inspection"], flx.Inspection);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RestoreRequest {
	    id: string;
	    server: string;
	    mode: string;
	    user: string;
	    dry_run: boolean;
	    keep_setuid: boolean;
	    root: string;
	
	    static createFrom(source: any = {}) {
	        return new RestoreRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.server = source["server"];
	        this.mode = source["mode"];
	        this.user = source["user"];
	        this.dry_run = source["dry_run"];
	        this.keep_setuid = source["keep_setuid"];
	        this.root = source["root"];
	    }
	}

}

export namespace store {
	
	export class Drill {
	    id: number;
	    job_id: number;
	    job_name: string;
	    server_id: number;
	    server_uuid: string;
	    server_name: string;
	    archive: string;
	    mode: string;
	    status: string;
	    started_at: string;
	    finished_at?: string;
	    files: number;
	    bytes: number;
	    checked: number;
	    mismatches: number;
	    error: string;
	
	    static createFrom(source: any = {}) {
	        return new Drill(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.job_id = source["job_id"];
	        this.job_name = source["job_name"];
	        this.server_id = source["server_id"];
	        this.server_uuid = source["server_uuid"];
	        this.server_name = source["server_name"];
	        this.archive = source["archive"];
	        this.mode = source["mode"];
	        this.status = source["status"];
	        this.started_at = source["started_at"];
	        this.finished_at = source["finished_at"];
	        this.files = source["files"];
	        this.bytes = source["bytes"];
	        this.checked = source["checked"];
	        this.mismatches = source["mismatches"];
	        this.error = source["error"];
	    }
	}
	export class Event {
	    id: number;
	    at: string;
	    kind: string;
	    subject: string;
	    message: string;
	    data?: any;
	    severity?: string;
	    server_id?: number;
	    job_id?: number;
	    server_name?: string;
	    job_name?: string;
	
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
	        this.severity = source["severity"];
	        this.server_id = source["server_id"];
	        this.job_id = source["job_id"];
	        this.server_name = source["server_name"];
	        this.job_name = source["job_name"];
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
	    keep: string;
	    last_scheduled_at?: string;
	    drill_schedule: string;
	    last_drill_at?: string;
	    notify_success: boolean;
	    server_uuid: string;
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
	        this.keep = source["keep"];
	        this.last_scheduled_at = source["last_scheduled_at"];
	        this.drill_schedule = source["drill_schedule"];
	        this.last_drill_at = source["last_drill_at"];
	        this.notify_success = source["notify_success"];
	        this.server_uuid = source["server_uuid"];
	        this.created_at = source["created_at"];
	        this.updated_at = source["updated_at"];
	    }
	}
	export class MetricPoint {
	    at: string;
	    cpu_percent: number;
	    load1: number;
	    mem_percent: number;
	    disk_percent: number;
	    net_rx_bps: number;
	    net_tx_bps: number;
	
	    static createFrom(source: any = {}) {
	        return new MetricPoint(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.at = source["at"];
	        this.cpu_percent = source["cpu_percent"];
	        this.load1 = source["load1"];
	        this.mem_percent = source["mem_percent"];
	        this.disk_percent = source["disk_percent"];
	        this.net_rx_bps = source["net_rx_bps"];
	        this.net_tx_bps = source["net_tx_bps"];
	    }
	}
	export class Run {
	    id: number;
	    job_id: number;
	    job_name: string;
	    server_id: number;
	    server_name: string;
	    status: string;
	    trigger: string;
	    attempt: number;
	    task_id: number;
	    started_at: string;
	    finished_at?: string;
	    archive: string;
	    bytes: number;
	    files: number;
	    deduplicated: number;
	    error: string;
	    log?: string;
	    pruned_at?: string;
	
	    static createFrom(source: any = {}) {
	        return new Run(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.job_id = source["job_id"];
	        this.job_name = source["job_name"];
	        this.server_id = source["server_id"];
	        this.server_name = source["server_name"];
	        this.status = source["status"];
	        this.trigger = source["trigger"];
	        this.attempt = source["attempt"];
	        this.task_id = source["task_id"];
	        this.started_at = source["started_at"];
	        this.finished_at = source["finished_at"];
	        this.archive = source["archive"];
	        this.bytes = source["bytes"];
	        this.files = source["files"];
	        this.deduplicated = source["deduplicated"];
	        this.error = source["error"];
	        this.log = source["log"];
	        this.pruned_at = source["pruned_at"];
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
	    last_verified_at?: string;
	    verify_stale: boolean;
	
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
	        this.last_verified_at = source["last_verified_at"];
	        this.verify_stale = source["verify_stale"];
	    }
	}
	export class SizePoint {
	    at: string;
	    bytes: number;
	
	    static createFrom(source: any = {}) {
	        return new SizePoint(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.at = source["at"];
	        this.bytes = source["bytes"];
	    }
	}
	export class Target {
	    id: number;
	    name: string;
	    kind: string;
	    server_id: number;
	    server_name: string;
	    server_uuid: string;
	    host: string;
	    port: number;
	    user: string;
	    path: string;
	    listen: string;
	    host_key: string;
	    host_key_fingerprint: string;
	    status: string;
	    last_error: string;
	    free_bytes: number;
	    created_at: string;
	
	    static createFrom(source: any = {}) {
	        return new Target(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.kind = source["kind"];
	        this.server_id = source["server_id"];
	        this.server_name = source["server_name"];
	        this.server_uuid = source["server_uuid"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.user = source["user"];
	        this.path = source["path"];
	        this.listen = source["listen"];
	        this.host_key = source["host_key"];
	        this.host_key_fingerprint = source["host_key_fingerprint"];
	        this.status = source["status"];
	        this.last_error = source["last_error"];
	        this.free_bytes = source["free_bytes"];
	        this.created_at = source["created_at"];
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

export namespace targets {
	
	export class HostedInput {
	    name: string;
	    host: string;
	    port: number;
	    user: string;
	    path: string;
	    accept_host_key: string;
	
	    static createFrom(source: any = {}) {
	        return new HostedInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.host = source["host"];
	        this.port = source["port"];
	        this.user = source["user"];
	        this.path = source["path"];
	        this.accept_host_key = source["accept_host_key"];
	    }
	}
	export class StorageNodeInput {
	    server: string;
	    name: string;
	    listen: string;
	    address: string;
	    dir: string;
	
	    static createFrom(source: any = {}) {
	        return new StorageNodeInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.name = source["name"];
	        this.listen = source["listen"];
	        this.address = source["address"];
	        this.dir = source["dir"];
	    }
	}

}

