-- The tables of Ironic 21.4 (alembic head 4dbec778866e) that the conductor
-- uses, column for column, with the same types, defaults, constraint and
-- index names as ironic-dbsync creates them on PostgreSQL. A database made
-- here is readable by Ironic's own code; a database made by ironic-dbsync is
-- used as it is and these migrations never run on it.

-- +goose Up
CREATE TABLE conductors (
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    id serial NOT NULL,
    hostname character varying(255) NOT NULL,
    drivers text,
    online boolean,
    version character varying(15),
    conductor_group character varying(255) DEFAULT ''::character varying NOT NULL,
    CONSTRAINT conductors_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_conductors0hostname UNIQUE (hostname)
);

CREATE TABLE conductor_hardware_interfaces (
    id serial NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    conductor_id integer NOT NULL,
    hardware_type character varying(255) NOT NULL,
    interface_type character varying(16) NOT NULL,
    interface_name character varying(255) NOT NULL,
    "default" boolean NOT NULL,
    version character varying(15),
    CONSTRAINT conductor_hardware_interfaces_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_conductorhardwareinterfaces0 UNIQUE (conductor_id, hardware_type, interface_type, interface_name),
    CONSTRAINT conductor_hardware_interfaces_conductor_id_fkey FOREIGN KEY (conductor_id) REFERENCES conductors(id)
);

CREATE TABLE chassis (
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    id serial NOT NULL,
    uuid character varying(36),
    extra text,
    description character varying(255),
    version character varying(15),
    CONSTRAINT chassis_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_chassis0uuid UNIQUE (uuid)
);

CREATE TABLE nodes (
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    id serial NOT NULL,
    uuid character varying(36),
    instance_uuid character varying(36),
    chassis_id integer,
    power_state character varying(15),
    target_power_state character varying(15),
    provision_state character varying(15),
    target_provision_state character varying(15),
    last_error text,
    properties text,
    driver character varying(255),
    driver_info text,
    reservation character varying(255),
    maintenance boolean,
    extra text,
    provision_updated_at timestamp without time zone,
    console_enabled boolean,
    instance_info text,
    conductor_affinity integer,
    maintenance_reason text,
    driver_internal_info text,
    name character varying(255),
    inspection_started_at timestamp without time zone,
    inspection_finished_at timestamp without time zone,
    clean_step text,
    raid_config text,
    target_raid_config text,
    network_interface character varying(255),
    resource_class character varying(80),
    boot_interface character varying(255),
    console_interface character varying(255),
    deploy_interface character varying(255),
    inspect_interface character varying(255),
    management_interface character varying(255),
    power_interface character varying(255),
    raid_interface character varying(255),
    vendor_interface character varying(255),
    storage_interface character varying(255),
    version character varying(15),
    rescue_interface character varying(255),
    bios_interface character varying(255),
    fault character varying(255),
    deploy_step text,
    conductor_group character varying(255) DEFAULT ''::character varying NOT NULL,
    automated_clean boolean,
    protected boolean DEFAULT false NOT NULL,
    protected_reason text,
    owner character varying(255),
    allocation_id integer,
    description text,
    retired boolean DEFAULT false,
    retired_reason text,
    lessee character varying(255),
    network_data text,
    boot_mode character varying(16),
    secure_boot boolean,
    shard character varying(255),
    CONSTRAINT nodes_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_nodes0uuid UNIQUE (uuid),
    CONSTRAINT uniq_nodes0instance_uuid UNIQUE (instance_uuid),
    CONSTRAINT uniq_nodes0name UNIQUE (name),
    CONSTRAINT nodes_chassis_id_fkey FOREIGN KEY (chassis_id) REFERENCES chassis(id),
    CONSTRAINT nodes_conductor_affinity_fk FOREIGN KEY (conductor_affinity) REFERENCES conductors(id)
);
CREATE INDEX conductor_group_idx ON nodes USING btree (conductor_group);
CREATE INDEX driver_idx ON nodes USING btree (driver);
CREATE INDEX lessee_idx ON nodes USING btree (lessee);
CREATE INDEX owner_idx ON nodes USING btree (owner);
CREATE INDEX provision_state_idx ON nodes USING btree (provision_state);
CREATE INDEX reservation_idx ON nodes USING btree (reservation);
CREATE INDEX resource_class_idx ON nodes USING btree (resource_class);
CREATE INDEX shard_idx ON nodes USING btree (shard);

CREATE TABLE allocations (
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    version character varying(15),
    id serial NOT NULL,
    uuid character varying(36) NOT NULL,
    name character varying(255),
    node_id integer,
    state character varying(15) NOT NULL,
    last_error text,
    resource_class character varying(80),
    traits text,
    candidate_nodes text,
    extra text,
    conductor_affinity integer,
    owner character varying(255),
    CONSTRAINT allocations_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_allocations0name UNIQUE (name),
    CONSTRAINT uniq_allocations0uuid UNIQUE (uuid),
    CONSTRAINT allocations_conductor_affinity_fkey FOREIGN KEY (conductor_affinity) REFERENCES conductors(id),
    CONSTRAINT allocations_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);
ALTER TABLE nodes ADD CONSTRAINT nodes_allocation_id_fkey FOREIGN KEY (allocation_id) REFERENCES allocations(id);

CREATE TABLE node_tags (
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    node_id integer NOT NULL,
    tag character varying(255) NOT NULL,
    version character varying(15),
    CONSTRAINT node_tags_pkey PRIMARY KEY (node_id, tag),
    CONSTRAINT node_tags_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);
CREATE INDEX node_tags_idx ON node_tags USING btree (tag);

CREATE TABLE node_traits (
    version character varying(15),
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    node_id integer NOT NULL,
    trait character varying(255) NOT NULL,
    CONSTRAINT node_traits_pkey PRIMARY KEY (node_id, trait),
    CONSTRAINT node_traits_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);
CREATE INDEX node_traits_idx ON node_traits USING btree (trait);

CREATE TABLE portgroups (
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    id serial NOT NULL,
    uuid character varying(36),
    name character varying(255),
    node_id integer,
    address character varying(18),
    extra text,
    internal_info text,
    standalone_ports_supported boolean,
    properties text,
    mode character varying(255),
    version character varying(15),
    CONSTRAINT portgroups_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_portgroups0address UNIQUE (address),
    CONSTRAINT uniq_portgroups0name UNIQUE (name),
    CONSTRAINT uniq_portgroups0uuid UNIQUE (uuid),
    CONSTRAINT portgroups_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE ports (
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    id serial NOT NULL,
    uuid character varying(36),
    address character varying(18),
    node_id integer,
    extra text,
    local_link_connection text,
    portgroup_id integer,
    pxe_enabled boolean,
    internal_info text,
    physical_network character varying(64),
    version character varying(15),
    is_smartnic boolean,
    name character varying(255),
    CONSTRAINT ports_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_ports0address UNIQUE (address),
    CONSTRAINT uniq_ports0name UNIQUE (name),
    CONSTRAINT uniq_ports0uuid UNIQUE (uuid),
    CONSTRAINT fk_portgroups_ports FOREIGN KEY (portgroup_id) REFERENCES portgroups(id),
    CONSTRAINT ports_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE volume_connectors (
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    id serial NOT NULL,
    uuid character varying(36),
    node_id integer,
    type character varying(32),
    connector_id character varying(255),
    extra text,
    version character varying(15),
    CONSTRAINT volume_connectors_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_volumeconnectors0type0connector_id UNIQUE (type, connector_id),
    CONSTRAINT uniq_volumeconnectors0uuid UNIQUE (uuid),
    CONSTRAINT volume_connectors_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE volume_targets (
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    id serial NOT NULL,
    uuid character varying(36),
    node_id integer,
    volume_type character varying(64),
    properties text,
    boot_index integer,
    volume_id character varying(36),
    extra text,
    version character varying(15),
    CONSTRAINT volume_targets_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_volumetargets0node_id0boot_index UNIQUE (node_id, boot_index),
    CONSTRAINT uniq_volumetargets0uuid UNIQUE (uuid),
    CONSTRAINT volume_targets_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE bios_settings (
    node_id integer NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name character varying(255) NOT NULL,
    value text,
    version character varying(15),
    attribute_type character varying(255),
    allowable_values text,
    lower_bound integer,
    max_length integer,
    min_length integer,
    read_only boolean,
    reset_required boolean,
    "unique" boolean,
    upper_bound integer,
    CONSTRAINT bios_settings_pkey PRIMARY KEY (node_id, name),
    CONSTRAINT bios_settings_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);

CREATE TABLE node_history (
    version character varying(15),
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    id serial NOT NULL,
    uuid character varying(36) NOT NULL,
    conductor character varying(255),
    event_type character varying(255),
    severity character varying(255),
    event text,
    "user" character varying(32),
    node_id integer,
    CONSTRAINT node_history_pkey PRIMARY KEY (id),
    CONSTRAINT uniq_history0uuid UNIQUE (uuid),
    CONSTRAINT node_history_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);
CREATE INDEX history_conductor_idx ON node_history USING btree (conductor);
CREATE INDEX history_node_id_idx ON node_history USING btree (node_id);
CREATE INDEX history_uuid_idx ON node_history USING btree (uuid);

CREATE TABLE node_inventory (
    version character varying(15),
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    id serial NOT NULL,
    inventory_data text,
    plugin_data text,
    node_id integer,
    CONSTRAINT node_inventory_pkey PRIMARY KEY (id),
    CONSTRAINT node_inventory_node_id_fkey FOREIGN KEY (node_id) REFERENCES nodes(id)
);
CREATE INDEX inventory_node_id_idx ON node_inventory USING btree (node_id);

-- +goose Down
DROP TABLE node_inventory;
DROP TABLE node_history;
DROP TABLE bios_settings;
DROP TABLE volume_targets;
DROP TABLE volume_connectors;
DROP TABLE ports;
DROP TABLE portgroups;
DROP TABLE node_traits;
DROP TABLE node_tags;
ALTER TABLE nodes DROP CONSTRAINT nodes_allocation_id_fkey;
DROP TABLE allocations;
DROP TABLE nodes;
DROP TABLE chassis;
DROP TABLE conductor_hardware_interfaces;
DROP TABLE conductors;
