"""olm_data/readers"""
